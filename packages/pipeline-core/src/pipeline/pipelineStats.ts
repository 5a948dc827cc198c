import type { BatchEvent, PipelineStatus } from '../types'

/** Running totals behind `getStatus()`. */
export class PipelineStats {
  totalQueries = 0
  totalBatches = 0
  succeeded = 0
  failed = 0
  finished = 0
  batchedQueries = 0
  batchTimeMs = 0
  deduplicated = 0
  merged = 0

  recordAccepted(count: number): void {
    this.totalQueries += count
  }

  recordBatch(event: BatchEvent): void {
    this.totalBatches++
    this.batchedQueries += event.size
    this.batchTimeMs += event.durationMs
    this.deduplicated += event.deduplicated
    this.merged += event.merged
  }

  recordOutcome(success: boolean): void {
    this.finished++
    if (success) this.succeeded++
    else this.failed++
  }

  get successRate(): number {
    return this.finished === 0 ? 1 : this.succeeded / this.finished
  }

  get avgBatchSize(): number {
    return this.totalBatches === 0 ? 0 : this.batchedQueries / this.totalBatches
  }

  get avgExecutionTimeMs(): number {
    return this.totalBatches === 0 ? 0 : this.batchTimeMs / this.totalBatches
  }

  /** The counters part of `getStatus()`. */
  snapshot(): Pick<
    PipelineStatus,
    | 'totalQueries'
    | 'totalBatches'
    | 'succeeded'
    | 'failed'
    | 'successRate'
    | 'avgBatchSize'
    | 'avgExecutionTimeMs'
    | 'deduplicated'
    | 'merged'
  > {
    return {
      totalQueries: this.totalQueries,
      totalBatches: this.totalBatches,
      succeeded: this.succeeded,
      failed: this.failed,
      successRate: this.successRate,
      avgBatchSize: this.avgBatchSize,
      avgExecutionTimeMs: this.avgExecutionTimeMs,
      deduplicated: this.deduplicated,
      merged: this.merged,
    }
  }
}
