import type { SpanContext } from '@opentelemetry/api'
import type { PipelineConfig, PipelineStatusView, QueryResultView } from '@sluice/contract'
import { QueryPipeline } from '@sluice/pipeline-core'
import type {
  AcceptedQuery,
  BatchEvent,
  PipelineSettingsInput,
  QueryResult,
  SubmittedQuery,
} from '@sluice/pipeline-core'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import type { NewFailure } from '../stores/failedQueryStore'
import type { HaltReason } from '../stores/pipelineConfigStore'
import { toEngineError } from './pipelineErrors'
import { pipelineStatusView } from './pipelineStatusView'
import { failureOf, resultView } from './queryOutcome'

/** How many finished batches each pipeline keeps for `batches.list`. */
const recentBatchCapacity = 200

/** Records failures, returning their ids in order (undefined where recording failed). */
export type FailureRecorder = (failures: readonly NewFailure[]) => Promise<(string | undefined)[]>

/** What a managed pipeline needs from its registry. */
export interface ManagedPipelineDeps {
  readonly log: Logger
  readonly recordFailures: FailureRecorder
  readonly onBatch: (batch: BatchEvent) => void
  /** The pipeline halted here (a `sequential` batch failed): the registry stores it for the cluster. */
  readonly onHalt: (reason: HaltReason) => void
}

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
 * The stored config as pipeline-core settings: the target is the engine's business, and every
 * result is consumed through its promise (keeping them for flush() would grow without bound).
 */
function coreSettings(config: PipelineConfig): PipelineSettingsInput {
  const { target: _target, ...settings } = config
  return { ...settings, retainResults: false }
}

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
  #core: QueryPipeline | undefined
  #unavailableReason: string | null = null
  #closing = false
  /** Set while a pipeline is replaced: new queries wait for the old one to drain (keeps order). */
  #swap: Promise<void> | undefined
  readonly #pending = new Set<Promise<unknown>>()
  readonly #batches: BatchEvent[] = []
  readonly #deps: ManagedPipelineDeps
  /** Set while applying a halt that came from the store, so it is not stored again. */
  #followingHalt = false
  createdAt: string
  updatedAt: string
  /** The store revision this pipeline runs (see `StoredPipeline.revision`). */
  revision: number
  /** A halt happened here and is not stored yet: an older stored state must not resume it. */
  haltUnsaved = false

  constructor(
    name: string,
    url: string,
    config: PipelineConfig,
    paused: boolean,
    deps: ManagedPipelineDeps,
    times: { createdAt: string; updatedAt: string; revision: number },
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
    this.revision = times.revision
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

  #build(url: string, config: PipelineConfig): QueryPipeline {
    const core = new QueryPipeline({ name: this.name, connection: url, ...coreSettings(config) })
    core.on('batch', (batch) => {
      this.#batches.push(batch)
      if (this.#batches.length > recentBatchCapacity)
        this.#batches.splice(0, this.#batches.length - recentBatchCapacity)
      this.#deps.onBatch(batch)
    })
    core.on('halt', (reason) => {
      if (this.#followingHalt) return
      this.haltUnsaved = true
      this.#deps.onHalt({ code: reason.code, message: reason.message })
    })
    if (this.#paused) core.pause()
    return core
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise)
    void promise.finally(() => this.#pending.delete(promise)).catch(() => undefined)
    return promise
  }

  async #ready(): Promise<QueryPipeline> {
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
   * Admitted whole or refused whole by pipeline-core (paused, halted, closed, no room for all of
   * them), the refusal mapped to one engine code.
   */
  async submit(
    queries: readonly SubmittedQuery[],
    group: boolean,
    callerContext?: SpanContext,
  ): Promise<QueryResultView[]> {
    const core = await this.#ready()
    let accepted: AcceptedQuery[]
    try {
      accepted = await core.addQueries(queries, { group, wait: false, callerContext })
    } catch (error) {
      throw toEngineError(error)
    }
    return this.#track(this.#answer(queries, accepted))
  }

  async #answer(
    queries: readonly SubmittedQuery[],
    accepted: readonly AcceptedQuery[],
  ): Promise<QueryResultView[]> {
    const results = await Promise.all(accepted.map((entry) => entry.result.catch(lostResult)))
    const failed: { index: number; failure: NewFailure }[] = []
    results.forEach((result, index) => {
      const query = queries[index]
      if (!result.success && query)
        failed.push({ index, failure: failureOf(this.name, query, result) })
    })
    const ids = await this.#deps.recordFailures(failed.map((entry) => entry.failure))
    const idByIndex = new Map(failed.map((entry, position) => [entry.index, ids[position]]))
    return results.map((result, index) => resultView(result, idByIndex.get(index)))
  }

  /** Runs one query and answers its result without recording it (retries update their own record). */
  async runOnce(query: SubmittedQuery): Promise<QueryResult> {
    const core = await this.#ready()
    const run = async (): Promise<QueryResult> => {
      let handle: AcceptedQuery
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
        throw toEngineError(error)
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

  /**
   * Takes on the stored lifecycle state: halted (as if its own batch had failed: what is queued
   * is skipped), else paused or running. A halt of its own that is not stored yet stays.
   */
  applyState(paused: boolean, halted: HaltReason | null): void {
    this.#paused = paused
    const core = this.#core
    if (!core) return
    const state = core.getStatus().state
    if (halted) {
      if (state === 'halted') return
      this.#followingHalt = true
      try {
        core.halt({ code: halted.code, message: halted.message })
      } finally {
        this.#followingHalt = false
      }
      return
    }
    if (state === 'halted') {
      if (this.haltUnsaved) return
      core.resume()
    }
    if (paused) core.pause()
    else core.resume()
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

  /**
   * Gives up on the queries still queued: pipeline-core answers each failed (ABANDONED), and
   * `submit` records them like any failure before answering. Running batches finish; `close()`
   * still waits for them. Answers how many were abandoned.
   */
  abandonQueued(): number {
    const core = this.#core
    if (!core) return 0
    const queued = core.getStatus().queueSize
    // The same promise `close()` awaits; a failure there is reported by close().
    core.close({ abandon: true }).catch(() => undefined)
    return queued
  }

  /** Batches finished recently, newest first. */
  recentBatches(limit: number): BatchEvent[] {
    return this.#batches.slice(-limit).reverse()
  }

  status(): PipelineStatusView {
    return pipelineStatusView(this.#core?.getStatus(), {
      closing: this.#closing,
      unavailableReason: this.#unavailableReason,
      configuredBatchSize: this.#config.batchSize,
    })
  }
}
