import type { SpanContext } from '@opentelemetry/api'
import type { ExecutableQuery } from '../execution/batchExecutor'
import type { QueryError, QueryResult, Strategy } from '../types'

/** A query accepted by the pipeline and waiting for (or in) a batch. */
export interface QueuedQuery {
  readonly id: string
  /** Submission order across the pipeline. */
  readonly seq: number
  readonly sql: string
  /** Prepared, frozen values (see ValidQuery.params). */
  readonly params: readonly unknown[]
  /** The caller's values (a frozen shallow copy), for `result` listeners. */
  readonly submittedParams: readonly unknown[]
  readonly callbackId?: string
  /** Shared by the queries of one `addGroup` call, which are never split across batches. */
  readonly groupId?: string
  /**
   * The strategy the pipeline had when it accepted the query: the query runs with it even if
   * `configure()` changes the strategy while it waits (a group accepted as atomic stays atomic).
   */
  readonly strategy: Strategy
  readonly enqueuedAt: number
  readonly callerContext?: SpanContext
  /** Resolves the query's result promise (called exactly once by the pipeline). */
  readonly resolve: (result: QueryResult) => void
}

/** The executor's view of a queued query, `index` being its position in the batch. */
export function toExecutable(query: QueuedQuery, index: number): ExecutableQuery {
  return {
    index,
    id: query.id,
    sql: query.sql,
    params: query.params,
    ...(query.groupId !== undefined ? { groupId: query.groupId } : {}),
    ...(query.callbackId !== undefined ? { callbackId: query.callbackId } : {}),
    ...(query.callerContext !== undefined ? { callerContext: query.callerContext } : {}),
  }
}

/** The result of a queued query that never ran because of `error` (a halt). */
export function skippedResult(query: QueuedQuery, error: QueryError, batchId: string): QueryResult {
  const result: QueryResult = {
    queryId: query.id,
    status: 'skipped',
    success: false,
    rows: [],
    rowCount: 0,
    error,
    retryCount: 0,
    batchId,
    durationMs: 0,
  }
  if (query.callbackId !== undefined) result.callbackId = query.callbackId
  return result
}
