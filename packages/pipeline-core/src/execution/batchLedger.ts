import type { PlannedStatement, QueryShare } from '../plan/plan'
import type { QueryError, Row } from '../types'
import type { QueryStatus } from '@sluice/contract'
import type { StatementReply } from './statementReply'
import type { TraceIds } from './roundTripSession'

/** How one query of a batch ended (before it becomes a QueryResult). */
export interface QueryOutcome {
  readonly status: QueryStatus
  readonly rows: Row[]
  readonly rowCount: number
  readonly error?: QueryError
  readonly finishedAt: number
  readonly traceId?: string
  readonly spanId?: string
}

/**
 * The one place a batch's query outcomes are written: each query is settled exactly once (a
 * second attempt is ignored), so no strategy path can report a query twice, and `unsettled()`
 * tells the executor which queries still need an outcome when something unexpected happens.
 */
export class BatchLedger {
  private readonly outcomes: (QueryOutcome | undefined)[]
  private readonly retries: number[]

  constructor(readonly size: number) {
    this.outcomes = new Array<QueryOutcome | undefined>(size).fill(undefined)
    this.retries = new Array<number>(size).fill(0)
  }

  isSettled(index: number): boolean {
    return this.outcomes[index] !== undefined
  }

  outcome(index: number): QueryOutcome | undefined {
    return this.outcomes[index]
  }

  retryCount(index: number): number {
    return this.retries[index] ?? 0
  }

  /** Counts one more re-run for each of these queries. */
  countRetry(indexes: readonly number[]): void {
    for (const index of indexes) this.retries[index] = (this.retries[index] ?? 0) + 1
  }

  unsettled(): number[] {
    const open: number[] = []
    this.outcomes.forEach((outcome, index) => {
      if (outcome === undefined) open.push(index)
    })
    return open
  }

  /** Records an outcome unless the query already has one. */
  settle(index: number, outcome: Omit<QueryOutcome, 'finishedAt'>): void {
    this.record(index, { ...outcome, finishedAt: performance.now() })
  }

  private record(index: number, outcome: QueryOutcome): void {
    if (index < 0 || index >= this.size || this.outcomes[index] !== undefined) return
    this.outcomes[index] = outcome
  }

  /** Hands a successful statement's result to each of its queries. */
  settleSucceeded(
    statement: PlannedStatement,
    reply: Extract<StatementReply, { kind: 'ok' }>,
    trace?: TraceIds,
  ): void {
    let shares: QueryShare[]
    try {
      shares = statement.distribute({ rows: reply.rows, rowCount: reply.rowCount })
    } catch (error) {
      // The statement ran (and is or will be committed): reporting a plain failure would invite
      // a retry that applies its queries twice.
      this.settleFailed(
        statement.queryIndexes,
        unmappedResultError('its result could not be handed back to its queries', error),
        trace,
      )
      return
    }
    // One clock reading and one object of one shape per query: a merged statement settles
    // hundreds of queries here.
    const finishedAt = performance.now()
    const traceId = trace?.traceId
    const spanId = trace?.spanId
    statement.queryIndexes.forEach((queryIndex, position) => {
      const share = shares[position]
      if (share) {
        this.record(queryIndex, {
          status: 'succeeded',
          rows: share.rows,
          rowCount: share.rowCount,
          finishedAt,
          traceId,
          spanId,
        })
      } else {
        this.settle(queryIndex, {
          status: 'failed',
          rows: [],
          rowCount: 0,
          error: unmappedResultError('the plan gave this query no share of its result'),
          ...trace,
        })
      }
    })
  }

  settleFailed(indexes: readonly number[], error: QueryError, trace?: TraceIds): void {
    for (const index of indexes)
      this.settle(index, { status: 'failed', rows: [], rowCount: 0, error, ...trace })
  }

  /** `trace`: the span of the statement that ran the query (a rolled-back query's statement ran). */
  settleAs(
    indexes: readonly number[],
    status: 'skipped' | 'rolled_back',
    error: QueryError,
    trace?: TraceIds,
  ): void {
    for (const index of indexes)
      this.settle(index, { status, rows: [], rowCount: 0, error, ...trace })
  }
}

/** An executor bug turned into a reported failure rather than a lost query. */
export function internalError(message: string, cause?: unknown): QueryError {
  const detail =
    cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : undefined
  return detail === undefined
    ? { message, code: 'INTERNAL' }
    : { message, code: 'INTERNAL', detail }
}

/**
 * A statement that ran but whose result cannot be mapped to its queries (e.g. a merged INSERT
 * reporting fewer rows than queries because a trigger appeared after planning): what each query
 * did is unknown, so it must not be run again.
 */
export function unmappedResultError(reason: string, cause?: unknown): QueryError {
  const detail =
    cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : undefined
  const error: QueryError = {
    message: `the statement ran, but ${reason}; whether this query took effect as submitted is unknown, so it is not run again`,
    code: 'OUTCOME_UNKNOWN',
    outcomeUnknown: true,
  }
  return detail === undefined ? error : { ...error, detail }
}
