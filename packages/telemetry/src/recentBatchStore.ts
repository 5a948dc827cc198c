import type { RecentBatch } from './recentBatch'

/**
 * Called with each batch as it is stored.
 *
 * @example
 * const listener: RecentBatchListener = (batch) => emit('batch', batch)
 * const unsubscribe = telemetry.recentBatches.subscribe(listener)
 */
export type RecentBatchListener = (batch: RecentBatch) => void

/**
 * The last N batches of each pipeline, in memory, for the console's "recent batches" view and
 * its links to Jaeger. Old batches fall off per pipeline, so one busy pipeline cannot push out
 * a quiet one's history.
 *
 * @example
 * const store = new RecentBatchStore(50)
 * const stop = store.subscribe((batch) => console.log(batch.pipeline, batch.durationMs))
 * store.list('orders', 10) // newest first
 * stop()
 */
export class RecentBatchStore {
  private readonly batches = new Map<string, RecentBatch[]>()
  private readonly listeners = new Set<RecentBatchListener>()

  constructor(readonly capacityPerPipeline = 100) {
    if (!Number.isInteger(capacityPerPipeline) || capacityPerPipeline < 1) {
      throw new RangeError(
        `recentBatchesPerPipeline must be a positive integer, got ${String(capacityPerPipeline)}`,
      )
    }
  }

  /** Stores a batch, dropping the pipeline's oldest beyond capacity, and tells subscribers. */
  add(batch: RecentBatch): void {
    let list = this.batches.get(batch.pipeline)
    if (!list) {
      list = []
      this.batches.set(batch.pipeline, list)
    }
    list.push(batch)
    if (list.length > this.capacityPerPipeline)
      list.splice(0, list.length - this.capacityPerPipeline)
    for (const listener of this.listeners) {
      try {
        listener(batch)
      } catch {
        // A broken subscriber must not break span processing or the other subscribers.
      }
    }
  }

  /** A pipeline's batches, newest first, at most `limit`. */
  list(pipeline: string, limit = this.capacityPerPipeline): RecentBatch[] {
    const list = this.batches.get(pipeline) ?? []
    return list.slice(Math.max(0, list.length - limit)).reverse()
  }

  /** The newest batches of all pipelines together, newest first, at most `limit`. */
  recent(limit = this.capacityPerPipeline): RecentBatch[] {
    return [...this.batches.values()]
      .flat()
      .sort((a, b) => b.startTime - a.startTime)
      .slice(0, limit)
  }

  /** The batch with this id, if still kept. */
  find(pipeline: string, batchId: string): RecentBatch | undefined {
    return this.batches.get(pipeline)?.find((batch) => batch.batchId === batchId)
  }

  /** Names of the pipelines that have batches kept. */
  pipelines(): string[] {
    return [...this.batches.keys()]
  }

  /** Forgets a pipeline's batches (when it is deleted). */
  forget(pipeline: string): void {
    this.batches.delete(pipeline)
  }

  /** Calls `listener` for every batch stored from now on; returns the unsubscribe function. */
  subscribe(listener: RecentBatchListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }
}
