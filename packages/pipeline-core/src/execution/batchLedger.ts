import type { PlannedStatement, QueryShare } from '../plan/plan'
import type { QueryError, QueryStatus, Row } from '../types'
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
    if (index < 0 || index >= this.size || this.outcomes[index] !== undefined) return
    this.outcomes[index] = { ...outcome, finishedAt: performance.now() }
  }

  /** Hands a successful statement's result to each of its queries. */
  settleSucceeded(statement: PlannedStatement, reply: Extract<StatementReply, { kind: 'ok' }>, trace?: TraceIds): void {
    let shares: QueryShare[]
    try {
      shares = statement.distribute({ rows: reply.rows, rowCount: reply.rowCount })
    } catch (error) {
      this.settleFailed(statement.queryIndexes, internalError('could not hand the statement result back to its queries', error), trace)
      return
    }
    statement.queryIndexes.forEach((queryIndex, position) => {
      const share = shares[position]
      if (share) {
        this.settle(queryIndex, { status: 'succeeded', rows: share.rows, rowCount: share.rowCount, ...trace })
      } else {
        this.settle(queryIndex, { status: 'failed', rows: [], rowCount: 0, error: internalError('the plan gave this query no share of its result'), ...trace })
      }
    })
  }

  settleFailed(indexes: readonly number[], error: QueryError, trace?: TraceIds): void {
    for (const index of indexes) this.settle(index, { status: 'failed', rows: [], rowCount: 0, error, ...trace })
  }

  /** `trace`: the span of the statement that ran the query (a rolled-back query's statement ran). */
  settleAs(indexes: readonly number[], status: 'skipped' | 'rolled_back', error: QueryError, trace?: TraceIds): void {
    for (const index of indexes) this.settle(index, { status, rows: [], rowCount: 0, error, ...trace })
  }
}

/** An executor bug turned into a reported failure rather than a lost query. */
export function internalError(message: string, cause?: unknown): QueryError {
  const detail = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : undefined
  return detail === undefined ? { message, code: 'INTERNAL' } : { message, code: 'INTERNAL', detail }
}
