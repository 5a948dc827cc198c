import type { ResolvedSettings } from '../config/resolvedSettings'
import { internalError } from './batchLedger'
import type { ExecutableQuery, ExecutedBatch } from './batchExecutor'

/** Results for a batch whose executor threw before producing any (a bug): every query fails, none is lost. */
export function failedBatch(
  batchId: string,
  queries: readonly ExecutableQuery[],
  settings: ResolvedSettings,
  pipeline: string,
  cause: unknown,
): ExecutedBatch {
  const error = internalError('the batch executor failed', cause)
  return {
    results: queries.map((query) => ({
      queryId: query.id,
      status: 'failed',
      success: false,
      rows: [],
      rowCount: 0,
      error,
      retryCount: 0,
      batchId,
      durationMs: 0,
      ...(query.callbackId !== undefined ? { callbackId: query.callbackId } : {}),
    })),
    event: {
      batchId,
      pipeline,
      strategy: settings.strategy,
      size: queries.length,
      statements: 0,
      durationMs: 0,
      succeeded: 0,
      failed: queries.length,
      skipped: 0,
      rolledBack: 0,
      deduplicated: 0,
      merged: 0,
      effectiveBatchSize: settings.batchSize,
      startedAt: Date.now(),
    },
  }
}
