import { EngineError } from '../errors'
import type { Logger } from '../logger'
import { errorOf } from '../pipelines/queryOutcome'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import type {
  FailedQueryView,
  FailureFilter,
  FailureGroupList,
  FailurePage,
  FailurePageRequest,
  RetryReport,
} from '@sluice/contract'
import type { FailedQueryStore } from '../stores/failedQueryStore'
import type { FailureGroupStore } from '../stores/failureGroupStore'
import type { FailureService } from '../trpc/services'

type RetryOutcome = RetryReport['outcomes'][number]

/** Failures per bucket since a time, by `pipeline\0fingerprint\0code` (statement insights). */
export type FailureSparklines = (since: Date) => Promise<Map<string, number[]>>

/** How many failed queries a retry-all runs at once (each chunk waits for its results). */
const retryChunk = 200

/**
 * How long a retry claim holds should its engine die mid-retry: far longer than a retry takes
 * (one query through its pipeline), short enough that a crash does not block the failure long.
 */
const RETRY_CLAIM_SECONDS = 600

/**
 * Operators' view of failed queries: search, inspect, retry (through the query's own pipeline, so
 * it runs with that pipeline's strategy and target) and discard. A retry updates the failure's
 * row (resolved, or one more attempt with the new error); it never adds a second row.
 *
 * @example
 * const service = new FailureQueries(store, registry, log)
 * await service.retry(['42'])
 */
export class FailureQueries implements FailureService {
  readonly #store: FailedQueryStore
  readonly #registry: PipelineRegistry
  readonly #log: Logger
  readonly #groups: FailureGroupStore | undefined
  readonly #sparklines: FailureSparklines | undefined

  constructor(
    store: FailedQueryStore,
    registry: PipelineRegistry,
    log: Logger,
    groups?: { store: FailureGroupStore; sparklines: FailureSparklines },
  ) {
    this.#store = store
    this.#registry = registry
    this.#log = log
    this.#groups = groups?.store
    this.#sparklines = groups?.sparklines
  }

  /** Open failure groups, most recently failing first, each with its failures over 24 hours. */
  async groups(filter: {
    pipeline?: string | undefined
    from?: string | number | undefined
    limit: number
  }): Promise<FailureGroupList> {
    if (!this.#groups) return { items: [] }
    const [items, lines] = await Promise.all([
      this.#groups.list(filter),
      this.#sparklines?.(new Date(Date.now() - 24 * 3_600_000)) ??
        Promise.resolve(new Map<string, number[]>()),
    ])
    return {
      items: items.map((group) => ({
        ...group,
        sparkline:
          lines.get(`${group.pipeline}\u0000${group.fingerprint}\u0000${group.errorCode}`) ?? [],
      })),
    }
  }

  async list(filter: FailureFilter, page: FailurePageRequest): Promise<FailurePage> {
    const { items, total, totalIsEstimate, nextCursor } = await this.#store.list(filter, page)
    // An offset only means something when paging by offset.
    const next = page.offset + items.length
    return {
      items,
      total,
      totalIsEstimate,
      nextOffset: page.cursor === undefined && next < total ? next : null,
      nextCursor,
    }
  }

  count(filter: FailureFilter): Promise<number> {
    return this.#store.count(filter)
  }

  get(id: string): Promise<FailedQueryView> {
    return this.#store.get(id)
  }

  async retry(
    selected: readonly string[],
    options: { params?: readonly unknown[] | undefined; allowOutcomeUnknown: boolean },
  ): Promise<RetryReport> {
    const ids = [...new Set(selected)]
    const found = await this.#store.getMany(ids)
    const byId = new Map(found.map((failure) => [failure.id, failure]))
    const outcomes = await Promise.all(
      ids.map((id): Promise<RetryOutcome> => {
        const failure = byId.get(id)
        if (!failure) {
          return Promise.resolve({
            id,
            outcome: 'not_retried',
            error: { message: `no failed query with id ${id}` },
          })
        }
        return this.#retryOne(failure, options.params, options.allowOutcomeUnknown)
      }),
    )
    return summarize(ids.length, outcomes, true)
  }

  async retryAll(filter: FailureFilter): Promise<{ report: RetryReport; ids: string[] }> {
    // Walk ids ascending so rows that fail again (and stay `failed`) are not picked up twice.
    const scope: FailureFilter = { ...filter, status: 'failed' }
    const outcomes: RetryOutcome[] = []
    let after = '0'
    for (;;) {
      const ids = await this.#store.idsMatching(scope, after, retryChunk)
      if (ids.length === 0) break
      after = ids[ids.length - 1] ?? after
      const failures = await this.#store.getMany(ids)
      outcomes.push(
        ...(await Promise.all(
          failures.map((failure) => this.#retryOne(failure, undefined, false)),
        )),
      )
    }
    this.#log.info(
      { filter: scope, matched: outcomes.length },
      'retried all matching failed queries',
    )
    return {
      report: summarize(outcomes.length, outcomes, false),
      ids: outcomes.map((item) => item.id),
    }
  }

  async #retryOne(
    failure: FailedQueryView,
    editedParams: readonly unknown[] | undefined,
    allowOutcomeUnknown: boolean,
  ): Promise<RetryOutcome> {
    // Two operators (or a double click, or two engines on one database) retrying the same write
    // must not run it twice.
    const claim = await this.#store.claimRetry(failure.id, RETRY_CLAIM_SECONDS)
    if (claim === 'missing')
      throw new EngineError('NOT_FOUND', `no failed query with id ${failure.id}`)
    if (claim === 'busy') {
      return {
        id: failure.id,
        outcome: 'not_retried',
        error: { message: `failed query ${failure.id} is being retried already` },
      }
    }
    try {
      const current = await this.#store.get(failure.id)
      if (current.error.outcomeUnknown && !allowOutcomeUnknown) {
        return {
          id: failure.id,
          outcome: 'not_retried',
          error: {
            message: `failed query ${failure.id} may have applied (its COMMIT answer was lost): check, then retry with allowOutcomeUnknown`,
          },
        }
      }
      if (current.paramsUnstorable && editedParams === undefined) {
        // Params PostgreSQL refused (and ingest now refuses): re-running them as stored cannot work.
        return {
          id: failure.id,
          outcome: 'not_retried',
          error: {
            message: `failed query ${failure.id} has params PostgreSQL could not store as sent (${current.paramsUnstorable.message}): retry it with edited params`,
          },
        }
      }
      return await this.#runRetry(current, editedParams ?? current.params)
    } finally {
      await this.#store.releaseRetry(failure.id)
    }
  }

  async #runRetry(failure: FailedQueryView, params: readonly unknown[]): Promise<RetryOutcome> {
    if (failure.status !== 'failed') {
      return {
        id: failure.id,
        outcome: 'not_retried',
        error: { message: `failed query ${failure.id} is ${failure.status}` },
      }
    }
    let result
    try {
      result = await this.#registry.runOnce(failure.pipeline, {
        sql: failure.sql,
        params,
        ...(failure.callbackId === null ? {} : { callbackId: failure.callbackId }),
      })
    } catch (error) {
      const reason = error instanceof EngineError ? error : undefined
      return {
        id: failure.id,
        outcome: 'not_retried',
        error: {
          message: reason?.message ?? String(error),
          ...(reason ? { code: reason.code } : {}),
        },
      }
    }
    if (result.success) {
      await this.#store.markResolved(failure.id, params)
      this.#log.info(
        { pipeline: failure.pipeline, failureId: failure.id },
        'failed query retried: resolved',
      )
      return { id: failure.id, outcome: 'resolved' }
    }
    const error = errorOf(result)
    await this.#store.markFailedAgain(failure.id, {
      params,
      outcome: result.status === 'succeeded' ? 'failed' : result.status,
      error,
      batchId: result.batchId,
      traceId: result.traceId ?? null,
    })
    return { id: failure.id, outcome: 'failed', error }
  }

  discard(ids: readonly string[]): Promise<string[]> {
    return this.#store.discard(ids)
  }

  async discardAll(filter: FailureFilter): Promise<string[]> {
    const ids = await this.#store.discardAll(filter)
    this.#log.info({ filter, count: ids.length }, 'discarded all matching failed queries')
    return ids
  }
}

function summarize(
  matched: number,
  outcomes: readonly RetryOutcome[],
  detailed: boolean,
): RetryReport {
  const count = (outcome: RetryOutcome['outcome']) =>
    outcomes.filter((item) => item.outcome === outcome).length
  return {
    matched,
    resolved: count('resolved'),
    failed: count('failed'),
    notRetried: count('not_retried'),
    outcomes: detailed ? [...outcomes] : [],
  }
}
