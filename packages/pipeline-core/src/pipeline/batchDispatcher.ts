import type { ResolvedSettings } from '../config/resolvedSettings'
import type { BatchExecutor, ExecutedBatch } from '../execution/batchExecutor'
import { failedBatch } from '../execution/failedBatch'
import type { PipelineState, QueryError, Strategy } from '../types'
import { FlushTimer } from './flushTimer'
import { plannerFor } from './optimizerWiring'
import type { PipelineEventEmitter } from './pipelineEvents'
import type { PipelineStats } from './pipelineStats'
import type { QueryQueue } from './queryQueue'
import { toExecutable } from './queuedQuery'
import type { QueuedQuery } from './queuedQuery'
import type { ResultDelivery } from './resultDelivery'

/** What the dispatcher needs from its pipeline. */
export interface DispatcherHost {
  readonly name: string
  readonly idPrefix: string
  settings(): ResolvedSettings
  /** `running` starts due batches, `closing` starts everything queued, other states nothing. */
  state(): PipelineState
  effectiveBatchSize(): number
  /** A batch of `size` queries took `durationMs` (feeds the adaptive batch size). */
  batchObserved(size: number, durationMs: number): void
  /** A `sequential` batch stopped at `cause`. */
  halt(cause: QueryError, batchId: string): void
  queueDepthChanged(): void
}

/** Where the dispatcher's batches go once they are taken from the queue. */
export interface DispatchTargets {
  readonly queue: QueryQueue
  readonly executor: BatchExecutor
  readonly delivery: ResultDelivery
  readonly stats: PipelineStats
  readonly events: PipelineEventEmitter
}

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

  constructor(
    private readonly host: DispatcherHost,
    private readonly targets: DispatchTargets,
  ) {}

  /** Queries taken from the queue whose batch has not finished yet. */
  get inFlightQueries(): number {
    return this.queriesInFlight
  }

  /** Looks for due batches on the next turn of the event loop (many adds in one tick share a batch). */
  soon(): void {
    this.timer.soon()
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
    const { queue } = this.targets
    const state = this.host.state()
    const draining = state === 'closing'
    const settings = this.host.settings()
    while (state === 'running' || draining) {
      const size = this.host.effectiveBatchSize()
      const oldest = queue.peek()
      if (!oldest || !this.mayStart(oldest.strategy)) break
      const due =
        draining ||
        queue.length >= size ||
        oldest.seq < this.flushBelowSeq ||
        performance.now() - oldest.enqueuedAt >= settings.flushIntervalMs
      if (!due) break
      const batch = queue.take(size)
      this.host.queueDepthChanged()
      this.runBatch(batch).catch((error: unknown) => {
        // Unreachable by design (results are delivered before anything that could throw);
        // surfaced rather than left as an unhandled rejection.
        process.emitWarning(
          `sluice pipeline '${this.host.name}': ${error instanceof Error ? error.message : String(error)}`,
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
      this.inFlightBatches < (isOrdered(strategy) ? 1 : this.host.settings().maxInFlightBatches)
    )
  }

  /** Arms the interval flush for the oldest queued query, when a batch could start then. */
  private armTimer(): void {
    this.timer.clearTimeout()
    const oldest = this.targets.queue.peek()
    if (!oldest || this.host.state() !== 'running' || !this.mayStart(oldest.strategy)) return
    this.timer.after(oldest.enqueuedAt + this.host.settings().flushIntervalMs - performance.now())
  }

  private async runBatch(batch: QueuedQuery[]): Promise<void> {
    const { executor, delivery, stats, events } = this.targets
    const current = this.host.settings()
    // Every query of a batch was accepted under the same strategy (QueryQueue.take).
    const strategy = batch[0]?.strategy ?? current.strategy
    const settings =
      strategy === current.strategy ? current : Object.freeze({ ...current, strategy })
    const ordered = isOrdered(strategy)
    this.inFlightBatches++
    if (ordered) this.inFlightOrderedBatches++
    this.queriesInFlight += batch.length
    const batchId = `${this.host.idPrefix}-b${++this.batchCounter}`
    const queries = batch.map(toExecutable)
    let executed: ExecutedBatch
    try {
      executed = await executor.execute(batchId, queries, settings, plannerFor(settings))
    } catch (error) {
      executed = failedBatch(batchId, queries, settings, this.host.name, error)
    }
    try {
      this.host.batchObserved(batch.length, executed.event.durationMs)
    } catch {
      // The batch-size controller must never cost a query its result; the size just stays.
    }
    try {
      stats.recordBatch(executed.event)
      executed.results.forEach((result, index) => {
        const query = batch[index]
        if (query) delivery.deliver(query, result)
      })
      events.emit('batch', {
        ...executed.event,
        effectiveBatchSize: this.host.effectiveBatchSize(),
      })
    } finally {
      this.inFlightBatches--
      if (ordered) this.inFlightOrderedBatches--
      this.queriesInFlight -= batch.length
      if (executed.haltedBy && this.host.state() !== 'closed')
        this.host.halt(executed.haltedBy, batchId)
      this.pump()
      this.checkIdle()
    }
  }

  private checkIdle(): void {
    if (this.idle && this.targets.queue.length === 0 && this.inFlightBatches === 0) {
      const idle = this.idle
      this.idle = undefined
      idle()
    }
  }
}

/** Strategies whose batches run one at a time, in order. */
function isOrdered(strategy: Strategy): boolean {
  return strategy === 'sequential' || strategy === 'transactional'
}
