import type { PipelineStatus } from '@sluice/pipeline-core'
import type { PipelineStatusView } from '@sluice/contract'

/** What the engine knows about a pipeline besides pipeline-core's own status. */
export interface PipelineFlags {
  readonly closing: boolean
  /** Why no pipeline-core pipeline runs (bad stored config, missing target), if so. */
  readonly unavailableReason: string | null
  readonly configuredBatchSize: number
}

/**
 * A pipeline's status as the API shows it: pipeline-core's counters and state, a pipeline that
 * is being closed as `closed`, and one that could not start as `unavailable`.
 */
export function pipelineStatusView(
  status: PipelineStatus | undefined,
  flags: PipelineFlags,
): PipelineStatusView {
  if (!status) {
    return {
      state: flags.closing ? 'closed' : 'unavailable',
      stateReason: flags.unavailableReason,
      queueSize: 0,
      inFlight: 0,
      totalQueries: 0,
      totalBatches: 0,
      succeeded: 0,
      failed: 0,
      successRate: 1,
      avgBatchSize: 0,
      avgExecutionTimeMs: 0,
      effectiveBatchSize: flags.configuredBatchSize,
      deduplicated: 0,
      merged: 0,
    }
  }
  const state =
    status.state === 'closing' || status.state === 'closed' || flags.closing
      ? 'closed'
      : status.state
  return {
    state,
    stateReason: state === 'halted' ? (status.haltReason?.message ?? 'halted at a failure') : null,
    queueSize: status.queueSize,
    inFlight: status.inFlight,
    totalQueries: status.totalQueries,
    totalBatches: status.totalBatches,
    succeeded: status.succeeded,
    failed: status.failed,
    successRate: status.successRate,
    avgBatchSize: status.avgBatchSize,
    avgExecutionTimeMs: status.avgExecutionTimeMs,
    effectiveBatchSize: status.effectiveBatchSize,
    deduplicated: status.deduplicated,
    merged: status.merged,
  }
}
