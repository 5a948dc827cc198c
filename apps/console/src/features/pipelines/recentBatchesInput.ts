/**
 * What a pipeline's page asks `batches.list` for: its latest batches.
 *
 * @example
 * trpc.batches.list.queryOptions(recentBatchesInput('orders'))
 */
export function recentBatchesInput(pipeline: string) {
  return { pipeline, limit: 15 }
}
