import type { SpanContext } from '@opentelemetry/api'
import type { BatchEvent, QueryResult, SubmittedQuery } from '@sluice/pipeline-core'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import {
  mergeSettings,
  pipelineConfigSchema,
  type FlushResult,
  type PipelineConfig,
  type PipelineConfigPatch,
  type PipelineView,
  type QueryResultView,
} from '@sluice/contract'
import type { FailedQueryStore, NewFailure } from '../stores/failedQueryStore'
import type { FailureWriter } from '../stores/failureWriter'
import type { PipelineConfigStore } from '../stores/pipelineConfigStore'
import type { TargetRegistry } from '../targets/targetRegistry'
import type { PipelineService } from '../trpc/services'
import { describeZodError } from '../trpc/zodMessages'
import { ManagedPipeline } from './managedPipeline'
import type { SubmitOptions } from './submitOptions'

/** What the registry works with. */
export interface PipelineRegistryDeps {
  readonly configs: PipelineConfigStore
  readonly failures: FailedQueryStore
  /** Records failures (own connection, retries); `failures` serves everything else. */
  readonly failureWriter: FailureWriter
  readonly targets: TargetRegistry
  readonly log: Logger
}

/**
 * Owns the engine's named pipelines: builds them from stored configs at start (so they resume after
 * a restart), creates, reconfigures live, pauses and deletes them, and routes queries to them.
 *
 * @example
 * const registry = new PipelineRegistry({ configs, failures, failureWriter, targets, log })
 * await registry.start()
 * const results = await registry.submit('orders', [{ sql: 'SELECT 1', params: [] }], false)
 */
export class PipelineRegistry implements PipelineService {
  readonly #pipelines = new Map<string, ManagedPipeline>()
  readonly #deps: PipelineRegistryDeps
  readonly #batchListeners = new Set<(batch: BatchEvent) => void>()

  constructor(deps: PipelineRegistryDeps) {
    this.#deps = deps
  }

  /** Builds every stored pipeline; paused ones stay paused. */
  async start(): Promise<void> {
    for (const stored of await this.#deps.configs.list()) {
      const parsed = pipelineConfigSchema.safeParse(stored.config)
      let url = ''
      let broken: string | undefined
      if (!parsed.success) broken = `stored config is invalid: ${describeZodError(parsed.error)}`
      else if (!this.#deps.targets.has(parsed.data.target))
        broken = `target "${parsed.data.target}" is not configured`
      else url = this.#deps.targets.urlOf(parsed.data.target)
      const config = parsed.success ? parsed.data : pipelineConfigSchema.parse({})
      this.#pipelines.set(
        stored.name,
        this.#manage(stored.name, url, config, stored.paused, stored, broken),
      )
      this.#deps.log.info(
        { pipeline: stored.name, paused: stored.paused, strategy: config.strategy },
        'pipeline resumed from store',
      )
    }
  }

  /** Calls `listener` for every finished batch of every pipeline. */
  onBatch(listener: (batch: BatchEvent) => void): () => void {
    this.#batchListeners.add(listener)
    return () => this.#batchListeners.delete(listener)
  }

  #manage(
    name: string,
    url: string,
    config: PipelineConfig,
    paused: boolean,
    times: { createdAt: string; updatedAt: string },
    broken?: string,
  ): ManagedPipeline {
    return new ManagedPipeline(
      name,
      url,
      config,
      paused,
      {
        log: this.#deps.log,
        recordFailures: (failures) => this.#recordFailures(failures),
        onBatch: (batch) => {
          for (const listener of this.#batchListeners) listener(batch)
        },
      },
      times,
      broken,
    )
  }

  async #recordFailures(failures: readonly NewFailure[]): Promise<(string | undefined)[]> {
    if (failures.length === 0) return []
    try {
      const ids = await this.#deps.failureWriter.record(failures)
      const missed = ids.filter((id) => id === undefined).length
      if (missed > 0) {
        // PostgreSQL refused these records even without their params: answered as unrecorded.
        this.#deps.log.error(
          { count: missed, pipeline: failures[0]?.pipeline },
          'could not record failed queries',
        )
      }
      this.#deps.log.debug(
        { pipeline: failures[0]?.pipeline, count: failures.length - missed },
        'failed queries recorded',
      )
      return ids
    } catch (error) {
      // The caller still gets each failure in its answer, marked unrecorded; say loudly that the store missed them.
      this.#deps.log.error(
        { err: error, count: failures.length, pipeline: failures[0]?.pipeline },
        'could not record failed queries',
      )
      return failures.map(() => undefined)
    }
  }

  #require(name: string): ManagedPipeline {
    const managed = this.#pipelines.get(name)
    if (!managed) throw new EngineError('NOT_FOUND', `no pipeline named "${name}"`)
    return managed
  }

  names(): string[] {
    return [...this.#pipelines.keys()].sort()
  }

  /** The managed pipeline by name, for metrics and batches. */
  find(name: string): ManagedPipeline | undefined {
    return this.#pipelines.get(name)
  }

  all(): ManagedPipeline[] {
    return this.names().flatMap((name) => this.#pipelines.get(name) ?? [])
  }

  #view(managed: ManagedPipeline, openFailures: number): PipelineView {
    return {
      name: managed.name,
      config: managed.config,
      paused: managed.paused,
      status: managed.status(),
      openFailures,
      createdAt: managed.createdAt,
      updatedAt: managed.updatedAt,
    }
  }

  async list(): Promise<PipelineView[]> {
    const open = await this.#deps.failures.openCounts()
    return this.all().map((managed) => this.#view(managed, open.get(managed.name) ?? 0))
  }

  async get(name: string): Promise<PipelineView> {
    const managed = this.#require(name)
    const open = await this.#deps.failures.openCounts()
    return this.#view(managed, open.get(name) ?? 0)
  }

  async create(name: string, config: PipelineConfig, paused: boolean): Promise<PipelineView> {
    if (this.#pipelines.has(name))
      throw new EngineError('CONFLICT', `a pipeline named "${name}" exists already`)
    const url = this.#deps.targets.urlOf(config.target)
    const now = new Date().toISOString()
    const managed = this.#manage(name, url, config, paused, { createdAt: now, updatedAt: now })
    const { state, stateReason } = managed.status()
    if (state === 'unavailable') {
      await managed.close()
      throw new EngineError(
        'INVALID_INPUT',
        `config: ${stateReason ?? 'the pipeline could not start'}`,
      )
    }
    try {
      const stored = await this.#deps.configs.insert(name, config, paused)
      managed.createdAt = stored.createdAt
      managed.updatedAt = stored.updatedAt
    } catch (error) {
      await managed.close()
      throw error
    }
    this.#pipelines.set(name, managed)
    this.#deps.log.info(
      { pipeline: name, strategy: config.strategy, target: config.target, paused },
      'pipeline created',
    )
    return this.#view(managed, 0)
  }

  async update(name: string, patch: PipelineConfigPatch): Promise<PipelineView> {
    const managed = this.#require(name)
    const parsed = pipelineConfigSchema.safeParse(mergeSettings(managed.config, patch))
    if (!parsed.success) throw new EngineError('INVALID_INPUT', describeZodError(parsed.error))
    const next = parsed.data
    const url = this.#deps.targets.urlOf(next.target)
    await managed.reconfigure(next, url)
    const stored = await this.#deps.configs.update(name, { config: next })
    managed.updatedAt = stored.updatedAt
    this.#deps.log.info({ pipeline: name, change: patch }, 'pipeline reconfigured live')
    return this.get(name)
  }

  async delete(name: string): Promise<void> {
    const managed = this.#require(name)
    this.#pipelines.delete(name)
    try {
      await managed.close()
    } finally {
      await this.#deps.configs.delete(name)
    }
    this.#deps.log.info({ pipeline: name }, 'pipeline deleted (its queue was drained first)')
  }

  async pause(name: string): Promise<PipelineView> {
    const managed = this.#require(name)
    managed.pause()
    const stored = await this.#deps.configs.update(name, { paused: true })
    managed.updatedAt = stored.updatedAt
    this.#deps.log.info({ pipeline: name }, 'pipeline paused')
    return this.get(name)
  }

  async resume(name: string): Promise<PipelineView> {
    const managed = this.#require(name)
    managed.resume()
    const stored = await this.#deps.configs.update(name, { paused: false })
    managed.updatedAt = stored.updatedAt
    this.#deps.log.info({ pipeline: name }, 'pipeline resumed')
    return this.get(name)
  }

  async flush(name: string): Promise<FlushResult> {
    return { queued: await this.#require(name).flush() }
  }

  /** Runs queries through a pipeline; failures are recorded before this resolves. */
  async submit(
    name: string,
    queries: readonly SubmittedQuery[],
    group: boolean,
    callerContext?: SpanContext,
    options?: SubmitOptions,
  ): Promise<QueryResultView[]> {
    return this.#require(name).submit(queries, group, callerContext, options)
  }

  /** Runs one query for a retry, without recording it as a new failure. */
  async runOnce(name: string, query: SubmittedQuery): Promise<QueryResult> {
    const managed = this.#pipelines.get(name)
    if (!managed) throw new EngineError('NOT_FOUND', `pipeline "${name}" no longer exists`)
    return managed.runOnce(query)
  }

  /** Names of the pipelines on each target. */
  pipelinesByTarget(): Map<string, string[]> {
    const byTarget = new Map<string, string[]>()
    for (const managed of this.all()) {
      byTarget.set(managed.config.target, [
        ...(byTarget.get(managed.config.target) ?? []),
        managed.name,
      ])
    }
    return byTarget
  }

  /** Queries queued in every pipeline, not yet running: what a drain still has to run. */
  queuedQueries(): number {
    return this.all().reduce((sum, managed) => sum + managed.status().queueSize, 0)
  }

  /**
   * Gives up on the drain: every query still queued in any pipeline is answered failed
   * (ABANDONED) and recorded; running batches finish. Answers how many were abandoned.
   */
  abandonQueued(): number {
    return this.all().reduce((sum, managed) => sum + managed.abandonQueued(), 0)
  }

  /** Drains every pipeline; resolves once every taken query has its result recorded. */
  async close(): Promise<void> {
    const results = await Promise.allSettled(this.all().map((managed) => managed.close()))
    for (const [index, result] of results.entries()) {
      if (result.status === 'rejected') {
        this.#deps.log.error(
          { pipeline: this.all()[index]?.name, err: result.reason },
          'pipeline did not close cleanly',
        )
      }
    }
  }
}
