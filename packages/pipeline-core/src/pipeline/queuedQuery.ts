import type { SpanContext } from '@opentelemetry/api'
import type { Strategy } from '@sluice/contract'
import type { LedgerEntry } from '../idempotency/ledgerTable'
import type { TransactionMode } from '../execution/transactionMode'
import type { QueryError, QueryResult } from '../types'
import type { ValidQuery } from './queryValidation'

/**
 * A query the pipeline accepted: validated and classified (`ValidQuery`), with its id and place
 * in submission order. The queue, the dispatcher and the executor all work on this one object.
 */
export interface QueuedQuery extends ValidQuery {
  readonly id: string
  /** Submission order across the pipeline. */
  readonly seq: number
  /** Shared by the queries of one `addGroup` call, which are never split across batches. */
  readonly groupId: string | undefined
  /**
   * The strategy the pipeline had when it accepted the query: the query runs with it even if
   * `configure()` changes the strategy while it waits (a group accepted as atomic stays atomic).
   */
  readonly strategy: Strategy
  readonly enqueuedAt: number
  readonly callerContext: SpanContext | undefined
  /** Set for a keyed query: the ledger row its write carries (see `IdempotencyLedger`). */
  readonly ledger?: LedgerEntry | undefined
  /** Set on every query of a group with its own transaction mode: such a group runs alone. */
  readonly transaction?: TransactionMode | undefined
  /** Resolves the query's result promise (called exactly once by the pipeline). */
  readonly resolve: (result: QueryResult) => void
}

/** A query's result when it never ran because of `error` (a halt, an executor failure). */
export function unrunResult(
  query: QueuedQuery,
  status: 'skipped' | 'failed',
  error: QueryError,
  batchId: string,
): QueryResult {
  const result: QueryResult = {
    queryId: query.id,
    status,
    success: false,
    rows: [],
    rowCount: 0,
    error,
    retryCount: 0,
    batchId,
    durationMs: 0,
  }
  if (query.callbackId !== undefined) result.callbackId = query.callbackId
  if (query.classification) result.fingerprint = query.classification.fingerprint
  return result
}
