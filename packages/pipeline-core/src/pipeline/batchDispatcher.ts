import { isOrderedStrategy } from '@sluice/contract'
import type { Strategy } from '@sluice/contract'
import type { ExecutedBatch } from '../execution/batchExecutor'
import { failedBatch } from '../execution/failedBatch'
import { FlushTimer } from './flushTimer'
import type { PipelineRuntime } from './pipelineRuntime'
import type { QueuedQuery } from './queuedQuery'

/**
 * Decides when a batch starts and runs it: takes due batches from the queue (by size, by the
 * flush interval, or because `flush()` asked), bounds how many run at once, executes each and
 * delivers every query's result. Batches of `sequential` / `transactional` run alone, in order;
 * `best_effort` / `parallel` ones up to `maxInFlightBatches` at once.
 */
export class BatchDispatcher {
  private inFlightBatches = 0
  /** In-flight batches of `sequential` / `transactional`: no other batch may start beside one. */
  private inFlightOrderedBatches = 0
  private queriesInFlight = 0
  private batchCounter = 0
  /** Queries with seq below this are flushed regardless of size (an explicit flush() asked). */
  private flushBelowSeq = 0
  private idle: (() => void) | undefined
  private readonly timer = new FlushTimer(() => {
    this.pump()
  })

  constructor(private readonly runtime: PipelineRuntime) {}

  /** Queries taken from the queue whose batch has not finished yet. */
  get inFlightQueries(): number {
    return this.queriesInFlight
  }

  /**
   * Queries were just queued: a full batch starts now, anything less on the next turn of the
   * event loop (many adds in one tick share a batch).
   */
  queued(): void {
    if (this.runtime.queue.length >= this.runtime.effectiveBatchSize()) this.pump()
    else this.timer.soon()
  }

  /** Makes every query with a seq below `belowSeq` due now, whatever the batch size. */
  flushBelow(belowSeq: number): void {
    this.flushBelowSeq = belowSeq
    this.pump()
  }

  /** Cancels the pending wake-ups (paused, or closed). */
  disarm(): void {
    this.timer.clear()
  }

  /** Resolves once the queue is empty and no batch runs. */
  whenIdle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.idle = resolve
      this.checkIdle()
    })
  }

  /** Starts every batch that is due and may start; arms the interval timer for the rest. */
  pump(): void {
    this.timer.clearSoon()
    const { queue } = this.runtime
    const state = this.runtime.state
    const draining = state === 'closing'
    const settings = this.runtime.settings
    while (state === 'running' || draining) {
      const size = this.runtime.effectiveBatchSize()
      const oldest = queue.peek()
      if (!oldest || !this.mayStart(oldest.strategy)) break
      const due =
        draining ||
        queue.length >= size ||
        oldest.seq < this.flushBelowSeq ||
        performance.now() - oldest.enqueuedAt >= settings.flushIntervalMs
      if (!due) break
      const batch = queue.take(size)
      this.runtime.recordQueueDepth()
      this.runBatch(batch).catch((error: unknown) => {
        // Unreachable by design (results are delivered before anything that could throw);
        // surfaced rather than left as an unhandled rejection.
        process.emitWarning(
          `sluice pipeline '${this.runtime.name}': ${error instanceof Error ? error.message : String(error)}`,
        )
      })
    }
    this.armTimer()
  }

  /**
   * Whether a batch of `strategy` may start now. Ordered strategies run alone (every batch sees
   * everything before it), and nothing starts beside an ordered batch still running, whatever
   * strategy the queries behind it were accepted under.
   */
  private mayStart(strategy: Strategy): boolean {
    if (this.inFlightOrderedBatches > 0) return false
    return (
      this.inFlightBatches <
      (isOrderedStrategy(strategy) ? 1 : this.runtime.settings.maxInFlightBatches)
    )
  }

  /** Arms the interval flush for the oldest queued query, when a batch could start then. */
  private armTimer(): void {
    this.timer.clearTimeout()
    const oldest = this.runtime.queue.peek()
    if (!oldest || this.runtime.state !== 'running' || !this.mayStart(oldest.strategy)) return
    this.timer.after(oldest.enqueuedAt + this.runtime.settings.flushIntervalMs - performance.now())
  }

  private async runBatch(batch: QueuedQuery[]): Promise<void> {
    const { runtime } = this
    const settings = runtime.settings
    // Every query of a batch was accepted under the same strategy (QueryQueue.take).
    const ordered = isOrderedStrategy(batch[0]?.strategy ?? settings.strategy)
    this.inFlightBatches++
    if (ordered) this.inFlightOrderedBatches++
    this.queriesInFlight += batch.length
    const batchId = `${runtime.idPrefix}-b${String(++this.batchCounter)}`
    let executed: ExecutedBatch
    try {
      executed = await runtime.executor.execute(batchId, batch, settings)
    } catch (error) {
      executed = failedBatch(batchId, batch, settings, runtime.name, error)
    }
    try {
      runtime.batchObserved(batch.length, executed.event.durationMs)
    } catch {
      // The batch-size controller must never cost a query its result; the size just stays.
    }
    try {
      runtime.stats.recordBatch(executed.event)
      executed.results.forEach((result, index) => {
        const query = batch[index]
        if (query) runtime.delivery.deliver(query, result)
      })
      runtime.events.emit('batch', {
        ...executed.event,
        effectiveBatchSize: runtime.effectiveBatchSize(),
      })
    } finally {
      this.inFlightBatches--
      if (ordered) this.inFlightOrderedBatches--
      this.queriesInFlight -= batch.length
      if (executed.haltedBy && runtime.state !== 'closed') runtime.halt(executed.haltedBy, batchId)
      this.pump()
      this.checkIdle()
    }
  }

  private checkIdle(): void {
    if (this.idle && this.runtime.queue.length === 0 && this.inFlightBatches === 0) {
      const idle = this.idle
      this.idle = undefined
      idle()
    }
  }
}
