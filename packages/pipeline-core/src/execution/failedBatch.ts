import type { ResolvedSettings } from '../config/resolvedSettings'
import type { QueuedQuery } from '../pipeline/queuedQuery'
import { unrunResult } from '../pipeline/queuedQuery'
import { internalError } from './batchLedger'
import type { ExecutedBatch } from './batchExecutor'

/** Results for a batch whose executor threw before producing any (a bug): every query fails, none is lost. */
export function failedBatch(
  batchId: string,
  queries: readonly QueuedQuery[],
  settings: ResolvedSettings,
  pipeline: string,
  cause: unknown,
): ExecutedBatch {
  const error = internalError('the batch executor failed', cause)
  return {
    results: queries.map((query) => unrunResult(query, 'failed', error, batchId)),
    event: {
      batchId,
      pipeline,
      strategy: queries[0]?.strategy ?? settings.strategy,
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
