import { randomBytes } from 'node:crypto'
import type { PipelineSettingsPatch } from '@sluice/contract'
import { patchSettings } from '../config/resolvedSettings'
import type { ResolvedSettings } from '../config/resolvedSettings'
import { PipelineError } from '../errors'
import { BatchExecutor } from '../execution/batchExecutor'
import type { ConnectionInput } from '../execution/connectionSource'
import { ConnectionSource } from '../execution/connectionSource'
import { skippedError } from '../execution/strategies/sequential'
import type { PipelineInstrumentation } from '../tracing/instrumentation'
import type { PipelineState, QueryError } from '../types'
import { batchSizeControllerFor } from './optimizerWiring'
import type { BatchSizeController } from './optimizerWiring'
import { PipelineEventEmitter } from './pipelineEvents'
import { PipelineStats } from './pipelineStats'
import { QueryQueue } from './queryQueue'
import { unrunResult } from './queuedQuery'
import { ResultDelivery } from './resultDelivery'

/**
 * Everything a running pipeline knows, in one owner: its settings, its lifecycle state (and why
 * it halted), the queue, the connections, counters, listeners and where results go. The facade
 * (`QueryPipeline`), the intake and the dispatcher all read and change the pipeline through
 * this one object, so no part keeps a copy of another's state.
 */
export class PipelineRuntime {
  readonly name: string
  /** Prefix of every query and batch id of this pipeline: ids stay unique across pipelines. */
  readonly idPrefix = randomBytes(6).toString('hex')
  readonly queue: QueryQueue
  readonly source: ConnectionSource
  readonly executor: BatchExecutor
  readonly events = new PipelineEventEmitter()
  readonly stats = new PipelineStats()
  readonly delivery: ResultDelivery
  readonly instrumentation: PipelineInstrumentation
  #settings: ResolvedSettings
  #state: PipelineState = 'running'
  #haltReason: QueryError | undefined
  #batchSize: BatchSizeController | undefined

  constructor(
    name: string,
    connection: ConnectionInput,
    settings: ResolvedSettings,
    instrumentation: PipelineInstrumentation,
  ) {
    this.name = name
    this.#settings = settings
    this.instrumentation = instrumentation
    this.queue = new QueryQueue(settings.maxQueueSize)
    this.source = new ConnectionSource(connection, settings.maxConnections)
    this.executor = new BatchExecutor(name, this.source, instrumentation)
    this.delivery = new ResultDelivery(this.events, this.stats, () => this.#settings.retainResults)
    this.#batchSize = batchSizeControllerFor(settings)
  }

  get settings(): ResolvedSettings {
    return this.#settings
  }

  get state(): PipelineState {
    return this.#state
  }

  get haltReason(): QueryError | undefined {
    return this.#haltReason
  }

  /** The batch size in use now: the adaptive controller's, else the configured one. */
  effectiveBatchSize(): number {
    return this.#batchSize?.current() ?? this.#settings.batchSize
  }

  /** A batch of `size` queries took `durationMs` (feeds the adaptive batch size). */
  batchObserved(size: number, durationMs: number): void {
    this.#batchSize?.observe(size, durationMs)
  }

  /** Applies a settings patch (validated on top of the current settings), or throws INVALID_CONFIG. */
  configure(patch: PipelineSettingsPatch): void {
    const previous = this.#settings
    const next = patchSettings(previous, patch)
    this.#settings = next
    if (next.maxConnections !== previous.maxConnections) this.source.setLimit(next.maxConnections)
    if (next.maxQueueSize !== previous.maxQueueSize) this.queue.setCapacity(next.maxQueueSize)
    if (next.batchSize !== previous.batchSize || next.adaptiveBounds !== previous.adaptiveBounds)
      this.#batchSize = batchSizeControllerFor(next)
    if (!next.retainResults) this.delivery.dropRetained()
  }

  /**
   * The refusal for new queries in the current state, or undefined when the pipeline takes them:
   * PIPELINE_CLOSED, PIPELINE_HALTED or PIPELINE_PAUSED, naming the pipeline and why.
   */
  refusal(): PipelineError | undefined {
    switch (this.#state) {
      case 'running':
        return undefined
      case 'paused':
        return new PipelineError(
          'PIPELINE_PAUSED',
          `pipeline '${this.name}' is paused: it takes no new queries until resume()`,
        )
      case 'halted':
        return new PipelineError(
          'PIPELINE_HALTED',
          `pipeline '${this.name}' halted after a failed query (${this.#haltReason?.code ?? 'error'}: ${this.#haltReason?.message ?? ''}); call resume()`,
        )
      case 'closing':
      case 'closed':
        return new PipelineError('PIPELINE_CLOSED', `pipeline '${this.name}' is closed`)
    }
  }

  /** Stops taking new queries and starting batches; callers waiting for room are refused. */
  pause(): boolean {
    if (this.#state !== 'running') return false
    this.#state = 'paused'
    this.#refuseWaiters()
    return true
  }

  /** Continues a paused or halted pipeline. */
  resume(): boolean {
    if (this.#state !== 'paused' && this.#state !== 'halted') return false
    this.#state = 'running'
    this.#haltReason = undefined
    return true
  }

  /** Starts the drain of `close()`: nothing new is taken, everything queued still runs. */
  beginClosing(): void {
    this.#state = 'closing'
    this.#refuseWaiters()
  }

  /**
   * Gives up on what is still queued (`close({ abandon: true })`): each query is answered
   * `failed` with code ABANDONED, never run. Batches already running are not touched.
   */
  abandonQueued(): number {
    const abandoned = this.queue.takeAll()
    const error: QueryError = {
      code: 'ABANDONED',
      message: `not run: pipeline '${this.name}' was closed with abandon while the query was still queued`,
    }
    for (const query of abandoned)
      this.delivery.deliver(query, unrunResult(query, 'failed', error, ''))
    this.recordQueueDepth()
    return abandoned.length
  }

  closed(): void {
    this.#state = 'closed'
  }

  /**
   * A sequential batch failed: nothing queued after it may run (it may depend on the failure),
   * so every queued query is skipped, and intake stops until resume().
   */
  halt(cause: QueryError, batchId: string): void {
    const halts = this.#state === 'running' || this.#state === 'paused'
    if (halts) {
      this.#state = 'halted'
      this.#haltReason = cause
    }
    const error = skippedError(cause)
    for (const query of this.queue.takeAll())
      this.delivery.deliver(query, unrunResult(query, 'skipped', error, batchId))
    this.recordQueueDepth()
    this.#refuseWaiters()
    if (halts) this.events.emit('halt', cause)
  }

  recordQueueDepth(): void {
    this.instrumentation.recordQueueDepth(this.name, this.queue.length)
  }

  #refuseWaiters(): void {
    const refusal = this.refusal()
    if (refusal) this.queue.rejectWaiters(refusal)
  }
}
