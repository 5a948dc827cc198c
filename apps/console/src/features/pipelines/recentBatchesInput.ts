/**
 * What a pipeline's page asks `batches.list` for: its latest batches.
 */
export function recentBatchesInput(pipeline: string) {
  return { pipeline, limit: 15 }
}
