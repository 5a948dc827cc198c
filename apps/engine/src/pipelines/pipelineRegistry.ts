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
import type { HaltReason, PipelineConfigStore, StoredPipeline } from '../stores/pipelineConfigStore'
import type { TargetRegistry } from '../targets/targetRegistry'
import type { PipelineService } from '../trpc/services'
import { describeZodError } from '../trpc/zodMessages'
import { ManagedPipeline } from './managedPipeline'

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
 * Owns the engine's named pipelines, run from the store (`sluice.pipelines`), the one source every
 * engine on the database shares: builds them at start, creates, reconfigures live, pauses and
 * deletes them by writing the store first, applies the changes other engines made (`changed`,
 * `reload`, fed by `ConfigSync`), and routes queries to them. Each change applies once, in order.
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
  /** The latest change to each pipeline under way here (see #serial). */
  readonly #changes = new Map<string, Promise<void>>()

  constructor(deps: PipelineRegistryDeps) {
    this.#deps = deps
  }

  /** Builds every stored pipeline; paused and halted ones stay so. */
  async start(): Promise<void> {
    await this.reload()
  }

  /**
   * Makes the pipelines match the store: builds the new ones, applies what changed, drains and
   * drops the deleted ones. Called at start and after the change stream reconnected, when
   * notifications may have been missed.
   */
  async reload(): Promise<void> {
    const stored = await this.#deps.configs.list()
    const names = new Set([...stored.map((row) => row.name), ...this.#pipelines.keys()])
    const byName = new Map(stored.map((row) => [row.name, row]))
    await Promise.all(
      [...names].map((name) => {
        const listedLocally = this.#pipelines.has(name)
        return this.#serial(name, async () => {
          // Deleted here since the list was read: the listed row is stale, not a new pipeline.
          const row =
            listedLocally && !this.#pipelines.has(name)
              ? await this.#deps.configs.get(name)
              : byName.get(name)
          await this.#applyQuietly(name, row)
        })
      }),
    )
  }

  /**
   * A pipeline changed in the store (`revision` undefined: it was deleted). A revision this engine
   * runs already (its own change) is not read again.
   */
  async changed(name: string, revision: number | undefined): Promise<void> {
    await this.#serial(name, async () => {
      const local = this.#pipelines.get(name)
      if (local && revision !== undefined && revision <= local.revision) return
      await this.#applyQuietly(name, await this.#deps.configs.get(name))
    })
  }

  /** Calls `listener` for every finished batch of every pipeline. */
  onBatch(listener: (batch: BatchEvent) => void): () => void {
    this.#batchListeners.add(listener)
    return () => this.#batchListeners.delete(listener)
  }

  /**
   * Runs `work` after every earlier change to the pipeline `name` here, local or from the store,
   * so changes apply in order and a stale one never overwrites a newer one.
   */
  #serial<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#changes.get(name) ?? Promise.resolve()
    const next = previous.then(work, work)
    const settled = next.then(
      () => undefined,
      () => undefined,
    )
    this.#changes.set(name, settled)
    void settled.then(() => {
      if (this.#changes.get(name) === settled) this.#changes.delete(name)
    })
    return next
  }

  async #applyQuietly(name: string, stored: StoredPipeline | undefined): Promise<void> {
    try {
      await this.#apply(name, stored)
    } catch (error) {
      this.#deps.log.error(
        { err: error, pipeline: name },
        'could not apply a stored pipeline change',
      )
    }
  }

  /** Brings the local pipeline `name` to the stored row (undefined: deleted). Call inside #serial. */
  async #apply(name: string, stored: StoredPipeline | undefined): Promise<void> {
    const local = this.#pipelines.get(name)
    if (!stored) {
      if (!local) return
      this.#pipelines.delete(name)
      await local.close()
      this.#deps.log.info({ pipeline: name }, 'pipeline deleted (its queue was drained first)')
      return
    }
    if (!local) {
      this.#pipelines.set(name, this.#fromStored(stored))
      return
    }
    if (stored.revision <= local.revision) return
    const parsed = pipelineConfigSchema.safeParse(stored.config)
    if (!parsed.success) {
      this.#deps.log.error(
        { pipeline: name, reason: describeZodError(parsed.error) },
        'stored config is invalid: the pipeline keeps its current config',
      )
    } else if (JSON.stringify(parsed.data) !== JSON.stringify(local.config)) {
      if (!this.#deps.targets.has(parsed.data.target)) {
        this.#deps.log.error(
          { pipeline: name, target: parsed.data.target },
          'target is not configured on this engine: the pipeline keeps its current config',
        )
      } else {
        await local.reconfigure(parsed.data, this.#deps.targets.urlOf(parsed.data.target))
        this.#deps.log.info({ pipeline: name }, 'pipeline reconfigured live')
      }
    }
    local.applyState(stored.paused, stored.halted)
    local.revision = stored.revision
    local.updatedAt = stored.updatedAt
  }

  /** A pipeline built from its stored row; one that cannot start is kept, listed unavailable. */
  #fromStored(stored: StoredPipeline): ManagedPipeline {
    const parsed = pipelineConfigSchema.safeParse(stored.config)
    let url = ''
    let broken: string | undefined
    if (!parsed.success) broken = `stored config is invalid: ${describeZodError(parsed.error)}`
    else if (!this.#deps.targets.has(parsed.data.target))
      broken = `target "${parsed.data.target}" is not configured`
    else url = this.#deps.targets.urlOf(parsed.data.target)
    const config = parsed.success ? parsed.data : pipelineConfigSchema.parse({})
    const managed = this.#manage(stored.name, url, config, stored.paused, stored, broken)
    if (stored.halted) managed.applyState(stored.paused, stored.halted)
    this.#deps.log.info(
      {
        pipeline: stored.name,
        paused: stored.paused,
        halted: stored.halted !== null,
        strategy: config.strategy,
      },
      'pipeline loaded from store',
    )
    return managed
  }

  #manage(
    name: string,
    url: string,
    config: PipelineConfig,
    paused: boolean,
    times: { createdAt: string; updatedAt: string; revision: number },
    broken?: string,
  ): ManagedPipeline {
    const managed: ManagedPipeline = new ManagedPipeline(
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
        onHalt: (reason) => {
          void this.#storeHalt(managed, reason)
        },
      },
      times,
      broken,
    )
    return managed
  }

  /** A halt here becomes the stored state, so every engine refuses the pipeline until resumed. */
  async #storeHalt(managed: ManagedPipeline, reason: HaltReason): Promise<void> {
    await this.#serial(managed.name, async () => {
      try {
        const stored = await this.#deps.configs.markHalted(managed.name, reason)
        if (stored && stored.revision > managed.revision) {
          managed.revision = stored.revision
          managed.updatedAt = stored.updatedAt
        }
      } catch (error) {
        this.#deps.log.error(
          { err: error, pipeline: managed.name },
          'could not store the halt: other engines may still take queries for the pipeline',
        )
      } finally {
        managed.haltUnsaved = false
      }
    })
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
    return this.#serial(name, async () => {
      if (this.#pipelines.has(name))
        throw new EngineError('CONFLICT', `a pipeline named "${name}" exists already`)
      const url = this.#deps.targets.urlOf(config.target)
      const now = new Date().toISOString()
      const managed = this.#manage(name, url, config, paused, {
        createdAt: now,
        updatedAt: now,
        revision: 0,
      })
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
        managed.revision = stored.revision
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
    })
  }

  /** Patches the stored config (merged into what is stored, under a lock) and applies it here. */
  async update(name: string, patch: PipelineConfigPatch): Promise<PipelineView> {
    await this.#serial(name, async () => {
      this.#require(name)
      const stored = await this.#deps.configs.updateConfig(name, (current) => {
        const base = pipelineConfigSchema.safeParse(current)
        const parsed = pipelineConfigSchema.safeParse(
          mergeSettings(base.success ? base.data : pipelineConfigSchema.parse({}), patch),
        )
        if (!parsed.success) throw new EngineError('INVALID_INPUT', describeZodError(parsed.error))
        // Refused before anything is stored: every engine would fail to run it.
        this.#deps.targets.urlOf(parsed.data.target)
        return parsed.data
      })
      await this.#apply(name, stored)
      this.#deps.log.info({ pipeline: name, change: patch }, 'pipeline config changed')
    })
    return this.get(name)
  }

  async delete(name: string): Promise<void> {
    await this.#serial(name, async () => {
      const managed = this.#require(name)
      this.#pipelines.delete(name)
      try {
        await managed.close()
      } finally {
        await this.#deps.configs.delete(name)
      }
      this.#deps.log.info({ pipeline: name }, 'pipeline deleted (its queue was drained first)')
    })
  }

  async pause(name: string): Promise<PipelineView> {
    return this.#setPaused(name, true)
  }

  /** Resumes a paused pipeline, or a halted `sequential` one, on every engine. */
  async resume(name: string): Promise<PipelineView> {
    return this.#setPaused(name, false)
  }

  async #setPaused(name: string, paused: boolean): Promise<PipelineView> {
    await this.#serial(name, async () => {
      this.#require(name)
      await this.#apply(name, await this.#deps.configs.setPaused(name, paused))
      this.#deps.log.info({ pipeline: name }, paused ? 'pipeline paused' : 'pipeline resumed')
    })
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
  ): Promise<QueryResultView[]> {
    return this.#require(name).submit(queries, group, callerContext)
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
