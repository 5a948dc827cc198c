import { MAX_AUDITED_IDS, type FailureFilter, type RetryReport } from '@sluice/contract'
import type { Caller } from '../auth/caller'
import type { FailureService } from '../trpc/services'
import { actorOf, type AuditLog } from './auditLog'

/** Ids as an entry lists them: all of them up to MAX_AUDITED_IDS, then a mark that more were. */
function auditedIds(ids: readonly string[]): { ids: string[]; idsTruncated?: true } {
  return ids.length > MAX_AUDITED_IDS
    ? { ids: ids.slice(0, MAX_AUDITED_IDS), idsTruncated: true }
    : { ids: [...ids] }
}

const counts = (report: RetryReport) => ({
  matched: report.matched,
  resolved: report.resolved,
  failed: report.failed,
  notRetried: report.notRetried,
})

/**
 * Retries and discards of failed queries, each written to the audit log with the ids and counts;
 * a retry with edited parameters also with the parameters before and after the edit.
 *
 * @example
 * await changes.retry(caller, { ids: ['42'], params: [7], allowOutcomeUnknown: false })
 */
export class FailureChanges {
  readonly #failures: FailureService
  readonly #audit: AuditLog

  constructor(failures: FailureService, audit: AuditLog) {
    this.#failures = failures
    this.#audit = audit
  }

  async retry(
    caller: Caller,
    input: {
      ids: readonly string[]
      params?: readonly unknown[] | undefined
      allowOutcomeUnknown: boolean
    },
  ): Promise<RetryReport> {
    const [onlyId] = input.ids
    const before =
      input.params !== undefined && onlyId !== undefined
        ? (await this.#failures.get(onlyId)).params
        : undefined
    const report = await this.#failures.retry(input.ids, {
      params: input.params,
      allowOutcomeUnknown: input.allowOutcomeUnknown,
    })
    await this.#audit.record({
      ...actorOf(caller),
      action: 'failures.retry',
      target: input.ids.length === 1 ? (onlyId ?? null) : null,
      details: {
        ...auditedIds(input.ids),
        ...counts(report),
        outcomes: report.outcomes.map(({ id, outcome }) => ({ id, outcome })),
        ...(input.params === undefined
          ? {}
          : { edit: { id: onlyId, before, after: input.params } }),
        ...(input.allowOutcomeUnknown ? { allowOutcomeUnknown: true } : {}),
      },
    })
    return report
  }

  async retryAll(caller: Caller, filter: FailureFilter): Promise<RetryReport> {
    const { report, ids } = await this.#failures.retryAll(filter)
    await this.#audit.record({
      ...actorOf(caller),
      action: 'failures.retryAll',
      details: { filter, ...auditedIds(ids), ...counts(report) },
    })
    return report
  }

  async discard(caller: Caller, ids: readonly string[]): Promise<number> {
    const discarded = await this.#failures.discard(ids)
    await this.#audit.record({
      ...actorOf(caller),
      action: 'failures.discard',
      target: ids.length === 1 ? (ids[0] ?? null) : null,
      details: { requested: ids.length, count: discarded.length, ...auditedIds(discarded) },
    })
    return discarded.length
  }

  async discardAll(caller: Caller, filter: FailureFilter): Promise<number> {
    const discarded = await this.#failures.discardAll(filter)
    await this.#audit.record({
      ...actorOf(caller),
      action: 'failures.discardAll',
      details: { filter, count: discarded.length, ...auditedIds(discarded) },
    })
    return discarded.length
  }
}
