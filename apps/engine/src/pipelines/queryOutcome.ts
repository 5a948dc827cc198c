import type { QueryErrorView, QueryResultView } from '@sluice/contract'
import type { QueryResult, SubmittedQuery } from '@sluice/pipeline-core'
import type { NewFailure } from '../stores/failedQueryStore'

/** Error of a query that did not succeed, with a message even when pipeline-core gave none. */
export function errorOf(result: QueryResult): QueryErrorView {
  if (result.error) {
    return {
      message: result.error.message,
      ...(result.error.code === undefined ? {} : { code: result.error.code }),
      ...(result.error.detail === undefined ? {} : { detail: result.error.detail }),
      ...(result.error.outcomeUnknown ? { outcomeUnknown: true } : {}),
    }
  }
  if (result.status === 'skipped')
    return { message: 'skipped: an earlier query of the sequential batch failed' }
  if (result.status === 'rolled_back')
    return { message: 'rolled back: another query of the transactional batch failed' }
  return { message: `query ended ${result.status}` }
}

/** The failure record for a result that did not succeed. */
export function failureOf(
  pipeline: string,
  query: SubmittedQuery,
  result: QueryResult,
): NewFailure {
  return {
    pipeline,
    sql: query.sql,
    params: query.params,
    outcome: result.status === 'succeeded' ? 'failed' : result.status,
    error: errorOf(result),
    attempts: result.retryCount + 1,
    batchId: result.batchId,
    traceId: result.traceId ?? null,
    callbackId: query.callbackId ?? null,
    fingerprint: result.fingerprint ?? null,
  }
}

/**
 * A keyed write the target's ledger says committed in an earlier run: succeeded, not run again,
 * its rows unknown. `queryId` is the one the first run gave it, or (when that answer was lost)
 * the ledger row's name.
 */
export function alreadyAppliedView(
  queryId: string,
  callbackId: string | undefined,
  batchId: string,
): QueryResultView {
  return {
    queryId,
    status: 'succeeded',
    success: true,
    alreadyApplied: true,
    retryCount: 0,
    ...(callbackId === undefined ? {} : { callbackId }),
    batchId,
    durationMs: 0,
  }
}

/**
 * A result as the ingest API answers it. A failure without `failureId` could not be written to
 * the failed-queries store: its error says `unrecorded: true` so nobody assumes it is there.
 */
export function resultView(result: QueryResult, failureId?: string): QueryResultView {
  return {
    queryId: result.queryId,
    status: result.status,
    success: result.success,
    rows: result.rows,
    rowCount: result.rowCount,
    ...(result.success
      ? {}
      : {
          error: { ...errorOf(result), ...(failureId === undefined ? { unrecorded: true } : {}) },
        }),
    retryCount: result.retryCount,
    ...(result.callbackId === undefined ? {} : { callbackId: result.callbackId }),
    batchId: result.batchId,
    durationMs: result.durationMs,
    ...(result.traceId === undefined ? {} : { traceId: result.traceId }),
    ...(failureId === undefined ? {} : { failureId }),
  }
}
