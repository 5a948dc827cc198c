/*
 * What pipeline-core's `sluice.batch` span looks like. Spelled out here rather than imported:
 * importing @sluice/pipeline-core would load `pg` before the SDK starts. A test checks these
 * against pipeline-core's own `SluiceAttributes`.
 */

/** Name and instrumentation scope of the batch span. */
export const BATCH_SPAN = { name: 'sluice.batch', scope: '@sluice/pipeline-core' } as const

/** Attributes of the batch span that `RecentBatch` is made of. */
export const BATCH_ATTRIBUTES = {
  pipelineName: 'sluice.pipeline.name',
  batchId: 'sluice.batch.id',
  batchSize: 'sluice.batch.size',
  batchStrategy: 'sluice.batch.strategy',
  batchStatements: 'sluice.batch.statements',
  batchSucceeded: 'sluice.batch.succeeded',
  batchFailed: 'sluice.batch.failed',
  batchSkipped: 'sluice.batch.skipped',
  batchRolledBack: 'sluice.batch.rolled_back',
  batchMerged: 'sluice.batch.merged',
  batchDeduplicated: 'sluice.batch.deduplicated',
} as const
