import type { SpanContext } from '@opentelemetry/api'
import type { BatchEvent, QueryResult } from '@sluice/pipeline-core'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import type {
  PipelineConfig,
  PipelineStatusView,
  QueryErrorView,
  QueryResultView,
} from '../schemas'
import type { NewFailure } from '../stores/failedQueryStore'
import {
  coreSettings,
  createCorePipeline,
  type CorePipeline,
  type QueryHandle,
} from './corePipeline'
import { toEngineError } from './pipelineErrors'
import { pipelineStatusView } from './pipelineStatusView'
import { failureOf, rejectedView, resultView, type SubmittedQuery } from './queryOutcome'

/** How many finished batches each pipeline keeps for `batches.list`. */
const recentBatchCapacity = 200

/** Records failures, returning their ids in order (undefined where recording failed). */
export type FailureRecorder = (failures: readonly NewFailure[]) => Promise<(string | undefined)[]>

/** What a managed pipeline needs from its registry. */
export interface ManagedPipelineDeps {
  readonly log: Logger
  readonly recordFailures: FailureRecorder
  readonly onBatch: (batch: BatchEvent) => void
}

type Accepted =
  { kind: 'queued'; handle: QueryHandle } | { kind: 'rejected'; view: QueryResultView }
type Outcome = { kind: 'ran'; result: QueryResult } | { kind: 'rejected'; view: QueryResultView }

/** A core result for a promise that rejected, which the contract says never happens; kept safe anyway. */
const lostResult = (error: unknown): QueryResult => ({
  queryId: '',
  status: 'failed',
  success: false,
  rows: [],
  rowCount: 0,
  error: {
    message: `the query's result was lost: ${error instanceof Error ? error.message : String(error)}`,
  },
  retryCount: 0,
  batchId: '',
  durationMs: 0,
})

/**
 * One named pipeline of the engine: its pipeline-core `QueryPipeline`, stored config, pause flag
 * and recent batches. Every query it takes is tracked until its result (and failure record) is in,
 * so `close()` loses nothing.
 *
 * @example
 * const managed = new ManagedPipeline('orders', url, config, false, deps, stored)
 * const results = await managed.submit([{ sql: 'SELECT 1', params: [] }], false)
 */
export class ManagedPipeline {
  readonly name: string
  #config: PipelineConfig
  #url: string
  #paused: boolean
  #core: CorePipeline | undefined
  #unavailableReason: string | null = null
  #closing = false
  /** Set while a pipeline is replaced: new queries wait for the old one to drain (keeps order). */
  #swap: Promise<void> | undefined
  readonly #pending = new Set<Promise<unknown>>()
  readonly #batches: BatchEvent[] = []
  readonly #deps: ManagedPipelineDeps
  createdAt: string
  updatedAt: string

  constructor(
    name: string,
    url: string,
    config: PipelineConfig,
    paused: boolean,
    deps: ManagedPipelineDeps,
    times: { createdAt: string; updatedAt: string },
    /** Set when the stored config could not be used: the pipeline is listed as unavailable. */
    brokenReason?: string,
  ) {
    this.name = name
    this.#url = url
    this.#config = config
    this.#paused = paused
    this.#deps = deps
    this.createdAt = times.createdAt
    this.updatedAt = times.updatedAt
    try {
      if (brokenReason !== undefined) throw new Error(brokenReason)
      this.#core = this.#build(url, config)
    } catch (error) {
      this.#unavailableReason = error instanceof Error ? error.message : String(error)
      deps.log.error(
        { pipeline: name, reason: this.#unavailableReason },
        'pipeline could not start',
      )
    }
  }

  get config(): PipelineConfig {
    return this.#config
  }

  get paused(): boolean {
    return this.#paused
  }

  #build(url: string, config: PipelineConfig): CorePipeline {
    const core = createCorePipeline(this.name, url, config)
    core.on('batch', (batch) => {
      this.#batches.push(batch)
      if (this.#batches.length > recentBatchCapacity)
        this.#batches.splice(0, this.#batches.length - recentBatchCapacity)
      this.#deps.onBatch(batch)
    })
    if (this.#paused) core.pause()
    return core
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise)
    void promise.finally(() => this.#pending.delete(promise)).catch(() => undefined)
    return promise
  }

  async #ready(): Promise<CorePipeline> {
    while (this.#swap) await this.#swap
    if (this.#closing)
      throw new EngineError('UNAVAILABLE', `pipeline "${this.name}" is closing`, {
        retryAfterSeconds: 1,
      })
    if (!this.#core) {
      throw new EngineError(
        'UNAVAILABLE',
        `pipeline "${this.name}" is unavailable: ${this.#unavailableReason ?? 'not started'}`,
      )
    }
    return this.#core
  }

  /**
   * Runs queries and answers each one's result, after recording the ones that did not succeed.
   * Refused whole (nothing queued) when paused, halted, or without room for all of them.
   */
  async submit(
    queries: readonly SubmittedQuery[],
    group: boolean,
    callerContext?: SpanContext,
  ): Promise<QueryResultView[]> {
    if (this.#paused) {
      throw new EngineError(
        'PIPELINE_PAUSED',
        `pipeline "${this.name}" is paused; resume it to send queries`,
        {
          retryAfterSeconds: 5,
        },
      )
    }
    const core = await this.#ready()
    const status = core.getStatus()
    if (status.state === 'halted') {
      const reason = status.haltReason ? `: ${status.haltReason.message}` : ''
      throw new EngineError(
        'PIPELINE_HALTED',
        `pipeline "${this.name}" halted at a failure${reason} (resume it to continue)`,
      )
    }
    if (queries.length > this.#config.maxQueueSize) {
      throw new EngineError(
        'INVALID_INPUT',
        `queries: ${queries.length} queries exceed the pipeline's maxQueueSize of ${this.#config.maxQueueSize}; send fewer per request`,
      )
    }
    if (status.queueSize + queries.length > this.#config.maxQueueSize) {
      throw new EngineError(
        'QUEUE_FULL',
        `pipeline "${this.name}" queue is full (${status.queueSize} queued); retry later`,
        {
          retryAfterSeconds: 1,
        },
      )
    }
    return this.#track(this.#run(core, queries, group, callerContext))
  }

  async #run(
    core: CorePipeline,
    queries: readonly SubmittedQuery[],
    group: boolean,
    callerContext: SpanContext | undefined,
  ): Promise<QueryResultView[]> {
    const accepted = await this.#accept(core, queries, group, callerContext)
    const outcomes = await Promise.all(
      accepted.map(async (entry): Promise<Outcome> =>
        entry.kind === 'queued'
          ? { kind: 'ran', result: await entry.handle.result.catch(lostResult) }
          : entry,
      ),
    )
    const failed: { index: number; failure: NewFailure }[] = []
    outcomes.forEach((outcome, index) => {
      const query = queries[index]
      if (outcome.kind === 'ran' && !outcome.result.success && query) {
        failed.push({ index, failure: failureOf(this.name, query, outcome.result) })
      }
    })
    const ids = await this.#deps.recordFailures(failed.map((entry) => entry.failure))
    const idByIndex = new Map(failed.map((entry, position) => [entry.index, ids[position]]))
    return outcomes.map((outcome, index) =>
      outcome.kind === 'ran' ? resultView(outcome.result, idByIndex.get(index)) : outcome.view,
    )
  }

  /*
   * Queues the queries. The first one's refusal refuses the request (nothing was queued); a later
   * refusal (the queue filled up in between) answers `rejected` for that query only, because the
   * ones before it are queued and will run.
   */
  async #accept(
    core: CorePipeline,
    queries: readonly SubmittedQuery[],
    group: boolean,
    callerContext: SpanContext | undefined,
  ): Promise<Accepted[]> {
    const link = callerContext ? { callerContext } : {}
    if (group) {
      try {
        const handles = await core.addGroup(queries, { wait: false, ...link })
        return handles.map((handle) => ({ kind: 'queued', handle }))
      } catch (error) {
        throw toEngineError(error, 'queries')
      }
    }
    const accepted: Accepted[] = []
    for (const [index, query] of queries.entries()) {
      try {
        const options =
          query.callbackId === undefined
            ? { wait: false, ...link }
            : { callbackId: query.callbackId, wait: false, ...link }
        accepted.push({
          kind: 'queued',
          handle: await core.addQuery(query.sql, query.params, options),
        })
      } catch (error) {
        const mapped = toEngineError(error, `queries[${index}]`)
        if (index === 0) throw mapped
        const reason: QueryErrorView = { message: mapped.message, code: mapped.code }
        accepted.push({ kind: 'rejected', view: rejectedView(query, reason) })
      }
    }
    return accepted
  }

  /** Runs one query and answers its result without recording it (retries update their own record). */
  async runOnce(query: SubmittedQuery): Promise<QueryResult> {
    if (this.#paused) throw new EngineError('PIPELINE_PAUSED', `pipeline "${this.name}" is paused`)
    const core = await this.#ready()
    const run = async (): Promise<QueryResult> => {
      let handle: QueryHandle
      try {
        // Retries wait for room (back-pressure) rather than failing on a full queue.
        handle = await core.addQuery(
          query.sql,
          query.params,
          query.callbackId === undefined
            ? { wait: true }
            : { callbackId: query.callbackId, wait: true },
        )
      } catch (error) {
        throw toEngineError(error)
      }
      return handle.result.catch(lostResult)
    }
    return this.#track(run())
  }

  /** Applies a new config live: queued queries stay queued and run under it. */
  async reconfigure(config: PipelineConfig, url: string): Promise<void> {
    while (this.#swap) await this.#swap
    const old = this.#core
    if (old && url === this.#url) {
      try {
        old.configure(coreSettings(config))
        this.#config = config
        return
      } catch (error) {
        throw toEngineError(error, 'config')
      }
    }
    // Another target: a new pipeline; the old one drains first so no query overtakes an earlier one.
    this.#swap = (async () => {
      try {
        await old?.close()
      } catch (error) {
        this.#deps.log.error(
          { pipeline: this.name, err: error },
          'draining the replaced pipeline failed',
        )
      }
      this.#config = config
      this.#url = url
      try {
        this.#core = this.#build(url, config)
        this.#unavailableReason = null
      } catch (error) {
        this.#core = undefined
        this.#unavailableReason = error instanceof Error ? error.message : String(error)
      }
    })().finally(() => {
      this.#swap = undefined
    })
    await this.#swap
  }

  pause(): void {
    this.#paused = true
    this.#core?.pause()
  }

  resume(): void {
    this.#paused = false
    this.#core?.resume()
  }

  /** Runs what is queued now; answers how many queries were queued. */
  async flush(): Promise<number> {
    const core = await this.#ready()
    const queued = core.getStatus().queueSize
    await core.flush()
    return queued
  }

  /** Stops taking queries, drains the queue and waits until every taken query's result is recorded. */
  async close(): Promise<void> {
    this.#closing = true
    while (this.#swap) await this.#swap
    try {
      // A paused pipeline still owes its queued queries a result: run them while draining.
      this.#core?.resume()
      await this.#core?.close()
    } finally {
      await Promise.allSettled([...this.#pending])
    }
  }

  /** Batches finished recently, newest first. */
  recentBatches(limit: number): BatchEvent[] {
    return this.#batches.slice(-limit).reverse()
  }

  status(): PipelineStatusView {
    return pipelineStatusView(this.#core?.getStatus(), {
      paused: this.#paused,
      closing: this.#closing,
      unavailableReason: this.#unavailableReason,
      configuredBatchSize: this.#config.batchSize,
    })
  }
}
