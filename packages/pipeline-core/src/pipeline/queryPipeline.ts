import type { PipelineSettings, PipelineSettingsPatch, QueryInput } from '@sluice/contract'
import { assertIdentity, resolveSettings } from '../config/resolvedSettings'
import { PipelineError } from '../errors'
import { explainPlan } from '../optimizer'
import type { PlanExplanation } from '../optimizer'
import { createOtelInstrumentation } from '../tracing/otelInstrumentation'
import type { PipelineConfig, PipelineStatus, QueryError, QueryResult } from '../types'
import type { AddOptions } from './addOptions'
import { BatchDispatcher } from './batchDispatcher'
import { plannerFor } from './optimizerWiring'
import type { PipelineEvents } from './pipelineEvents'
import { PipelineRuntime } from './pipelineRuntime'
import { QueryIntake } from './queryIntake'
import type { AcceptedQuery } from './queryIntake'
import { validateQueryShape } from './queryValidation'
import type { ValidQuery } from './queryValidation'

export type { AcceptedQuery, AddOptions }

/**
 * Batches many small queries into pipelined round trips to PostgreSQL and gives every accepted
 * query exactly one QueryResult. See docs/architecture.md, "The contract of a query".
 *
 * Batches of `best_effort` and `parallel` pipelines may run several at once (up to
 * `maxInFlightBatches`, each on its own connection); `sequential` and `transactional` run one
 * batch at a time, so every batch sees everything the batches before it did.
 *
 * @example
 * import { QueryPipeline } from '@sluice/pipeline-core'
 *
 * const pipeline = new QueryPipeline({ name: 'orders', connection: 'postgres://postgres@127.0.0.1:5432/test' })
 * const { id, result } = await pipeline.addQuery('INSERT INTO orders (sku) VALUES ($1)', ['A-1'])
 * const outcome = await result // { queryId: id, status: 'succeeded', rowCount: 1, ... }
 * await pipeline.close()
 */
export class QueryPipeline {
  readonly name: string
  private readonly runtime: PipelineRuntime
  private readonly intake: QueryIntake
  private readonly dispatcher: BatchDispatcher
  private closing: Promise<void> | undefined

  constructor(config: PipelineConfig) {
    assertIdentity(config)
    const { name, connection, instrumentation, ...settings } = config
    this.name = name
    this.runtime = new PipelineRuntime(
      name,
      connection,
      resolveSettings(settings),
      instrumentation ?? createOtelInstrumentation(),
    )
    this.dispatcher = new BatchDispatcher(this.runtime)
    this.intake = new QueryIntake(this.runtime, this.dispatcher)
  }

  /**
   * The settings the pipeline runs with now, defaults filled in (`PIPELINE_DEFAULTS`); derived
   * ones (`maxInFlightBatches`, the adaptive bounds) unset unless given.
   *
   * @example
   * new QueryPipeline({ name: 'x', connection }).settings.flushIntervalMs // PIPELINE_DEFAULTS.flushIntervalMs
   */
  get settings(): PipelineSettings {
    return this.runtime.settings.stored
  }

  /**
   * Queues one query. Resolves once it is accepted (after waiting for room while the queue is
   * full, unless `wait: false`); `result` then resolves with its one QueryResult.
   * Throws PipelineError: INVALID_QUERY, TOO_MANY_PARAMETERS, QUEUE_FULL, PIPELINE_PAUSED,
   * PIPELINE_HALTED, PIPELINE_CLOSED.
   *
   * @example
   * const { result } = await pipeline.addQuery('SELECT * FROM users WHERE id = $1', [42], { callbackId: 'u42' })
   * const { rows } = await result
   */
  addQuery(
    sql: string,
    params?: readonly unknown[],
    options: AddOptions = {},
  ): Promise<AcceptedQuery> {
    // Not async: a query accepted at once costs one promise, not a chain of them.
    try {
      const valid = validateQueryShape(sql, params, options.callbackId)
      const admitted = this.intake.admit([valid], [''], {
        group: false,
        wait: options.wait ?? true,
        callerContext: options.callerContext,
      })
      return Array.isArray(admitted)
        ? Promise.resolve(onlyAccepted(admitted))
        : admitted.then(onlyAccepted)
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
  }

  /**
   * Queues several queries at once, all of them or none: when any is invalid, or the pipeline
   * refuses (paused, halted, closed, or no room for all of them with `wait: false`), nothing is
   * queued and the PipelineError's code says why (INVALID_QUERY naming `queries[i]`,
   * PIPELINE_PAUSED, PIPELINE_HALTED, PIPELINE_CLOSED, QUEUE_FULL, TOO_MANY_QUERIES). With
   * `group: true` they also run in one batch (atomically under `transactional`): a group larger
   * than `batchSize` is refused with GROUP_TOO_LARGE.
   *
   * @example
   * const accepted = await pipeline.addQueries(
   *   [{ sql: 'INSERT INTO t (v) VALUES ($1)', params: [1] }, { sql: 'INSERT INTO t (v) VALUES ($1)', params: [2] }],
   *   { wait: false },
   * )
   * const results = await Promise.all(accepted.map((query) => query.result))
   */
  addQueries(
    queries: readonly QueryInput[],
    options: Pick<AddOptions, 'wait' | 'callerContext'> & { readonly group?: boolean } = {},
  ): Promise<AcceptedQuery[]> {
    try {
      const valid = validateAll(queries)
      const group = options.group ?? false
      const { batchSize } = this.runtime.settings
      if (group && valid.length > batchSize) {
        throw new PipelineError(
          'GROUP_TOO_LARGE',
          `the group has ${String(valid.length)} queries but batchSize is ${String(batchSize)}; a group must fit in one batch`,
        )
      }
      if (valid.length === 0) return Promise.resolve([])
      const admitted = this.intake.admit(
        valid,
        valid.map((_, index) => `queries[${String(index)}]`),
        { group, wait: options.wait ?? true, callerContext: options.callerContext },
      )
      return Array.isArray(admitted) ? Promise.resolve(admitted) : admitted
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
  }

  /**
   * Queues queries that always run in the same batch (for `transactional`, atomically):
   * `addQueries(queries, { group: true })`.
   *
   * @example
   * const accepted = await pipeline.addGroup([
   *   { sql: 'UPDATE accounts SET balance = balance - $1 WHERE id = $2', params: [10, 1] },
   *   { sql: 'UPDATE accounts SET balance = balance + $1 WHERE id = $2', params: [10, 2] },
   * ])
   */
  addGroup(
    queries: readonly QueryInput[],
    options: Pick<AddOptions, 'wait' | 'callerContext'> = {},
  ): Promise<AcceptedQuery[]> {
    return this.addQueries(queries, { ...options, group: true })
  }

  /**
   * One call: queue a query and wait for its result.
   *
   * @example
   * const { rows } = await pipeline.query('SELECT now() AS at')
   */
  async query(sql: string, params?: readonly unknown[]): Promise<QueryResult> {
    const { result } = await this.addQuery(sql, params)
    return result
  }

  /**
   * Runs everything queued now (whatever the batch size) and returns every result finished since
   * the last `flush()`, auto-flushed batches included, in submission order. With
   * `retainResults: false` it still runs the queue but returns `[]`. While paused it runs nothing
   * and returns what already finished.
   *
   * @example
   * await pipeline.addQuery('INSERT INTO t VALUES ($1)', [1])
   * const results = await pipeline.flush()
   */
  async flush(): Promise<QueryResult[]> {
    const { runtime } = this
    const outstanding = runtime.queue.length + this.dispatcher.inFlightQueries
    if (outstanding > 0 && runtime.state !== 'paused') {
      const below = this.intake.nextSequence
      const done = runtime.delivery.waitFor(below, outstanding)
      this.dispatcher.flushBelow(below)
      await done
    }
    return runtime.delivery.takeRetained()
  }

  /**
   * Changes settings on a running pipeline; only the fields given change (nested `retry` and
   * `adaptiveBatchSize` field by field). Queued queries are kept and run with the new settings,
   * except the strategy: a query always runs with the strategy it was accepted under, and a
   * batch never mixes strategies (the queue is cut where the strategy changed). So a group
   * queued under `transactional` stays all or nothing after a switch to `best_effort`, and
   * queries queued under `sequential` still halt at a failure. A batch size lowered below a
   * queued group's size runs that group whole, alone. `name` and `connection` cannot change.
   * Throws INVALID_CONFIG naming the field; the settings then stay as they were.
   *
   * @example
   * pipeline.configure({ batchSize: 500, strategy: 'parallel' })
   */
  configure(patch: PipelineSettingsPatch): void {
    if (typeof patch !== 'object' || (patch as unknown) === null) {
      throw new PipelineError('INVALID_CONFIG', 'configure() takes an object of settings')
    }
    this.runtime.configure(patch)
    // Re-arms the interval timer with the new settings too.
    this.dispatcher.pump()
  }

  /**
   * Stops taking new queries (refused with PIPELINE_PAUSED) and starting batches; what is queued
   * stays queued until `resume()`, and batches already running finish.
   *
   * @example
   * pipeline.pause(); pipeline.getStatus().state // 'paused'
   */
  pause(): void {
    if (this.runtime.pause()) this.dispatcher.disarm()
  }

  /**
   * Halts the pipeline as a failed `sequential` batch would: every queued query is answered
   * `skipped` (with `reason`), new queries are refused with PIPELINE_HALTED until `resume()`, and
   * the `halt` event fires. For a halt that happened elsewhere, e.g. on another engine running
   * the same pipeline. Batches already running finish. No effect on a closing pipeline.
   *
   * @example
   * pipeline.halt({ code: '23505', message: 'duplicate key value violates unique constraint' })
   */
  halt(reason: QueryError): void {
    const { runtime } = this
    if (runtime.state === 'closing' || runtime.state === 'closed') return
    runtime.halt(reason, '')
    this.dispatcher.disarm()
  }

  /**
   * Continues a paused pipeline, or a `sequential` pipeline halted by a failure.
   *
   * @example
   * if (pipeline.getStatus().state === 'halted') pipeline.resume()
   */
  resume(): void {
    if (this.runtime.resume()) this.dispatcher.pump()
  }

  /**
   * Stops intake, runs everything queued (a paused pipeline too) and waits for it, then ends the
   * connection pool (unless the pool was given by the caller). Callers still waiting for room
   * get PIPELINE_CLOSED.
   *
   * With `abandon: true` (also while an earlier `close()` drains) the queries still queued are
   * not run: each is answered `failed` with code ABANDONED at once. Batches already running
   * finish and are answered as usual; the promise resolves when they have.
   *
   * @example
   * process.on('SIGTERM', () => void pipeline.close())
   * // later, if the drain takes too long:
   * await pipeline.close({ abandon: true })
   */
  close(options: { readonly abandon?: boolean } = {}): Promise<void> {
    if (options.abandon === true && this.runtime.state !== 'closed') {
      this.runtime.beginClosing()
      this.runtime.abandonQueued()
    }
    this.closing ??= this.drainAndEnd()
    return this.closing
  }

  /**
   * The plan a batch of these queries would run with the current settings, without running any
   * of them (the planner may read the catalog): which statements merge, dedupe or move, and why
   * not.
   *
   * @example
   * const explanation = await pipeline.explain([
   *   { sql: 'INSERT INTO t (a) VALUES ($1)', params: [1] },
   *   { sql: 'INSERT INTO t (a) VALUES ($1)', params: [2] },
   * ])
   * console.log(explanation.summary)
   */
  async explain(queries: readonly QueryInput[]): Promise<PlanExplanation> {
    const valid = validateAll(queries)
    const settings = this.runtime.settings
    return explainPlan(
      valid,
      this.runtime.executor.planningContext(settings.strategy),
      plannerFor(settings),
    )
  }

  /**
   * Counters and state.
   *
   * @example
   * const { queueSize, successRate, state } = pipeline.getStatus()
   */
  getStatus(): PipelineStatus {
    const { runtime } = this
    const status: PipelineStatus = {
      name: this.name,
      state: runtime.state,
      strategy: runtime.settings.strategy,
      queueSize: runtime.queue.length,
      inFlight: this.dispatcher.inFlightQueries,
      ...runtime.stats.snapshot(),
      batchSize: runtime.settings.batchSize,
      effectiveBatchSize: runtime.effectiveBatchSize(),
    }
    if (runtime.haltReason) status.haltReason = runtime.haltReason
    return status
  }

  /**
   * Listens to every query result (`result`, with the query as submitted) or finished batch
   * (`batch`).
   *
   * @example
   * pipeline.on('result', (result, query) => { if (!result.success) console.error(query.sql, result.error) })
   */
  on<K extends keyof PipelineEvents>(event: K, listener: PipelineEvents[K]): this {
    this.runtime.events.on(event, listener)
    return this
  }

  /**
   * Removes a listener added with `on`.
   *
   * @example
   * pipeline.off('batch', onBatch)
   */
  off<K extends keyof PipelineEvents>(event: K, listener: PipelineEvents[K]): this {
    this.runtime.events.off(event, listener)
    return this
  }

  private async drainAndEnd(): Promise<void> {
    this.runtime.beginClosing()
    this.dispatcher.pump()
    await this.dispatcher.whenIdle()
    this.dispatcher.disarm()
    this.runtime.closed()
    await this.runtime.source.end()
  }
}

/** Validates every query's shape (nothing is queued unless all pass), naming the one at fault. */
function validateAll(queries: readonly QueryInput[]): ValidQuery[] {
  if (!Array.isArray(queries)) throw new PipelineError('INVALID_QUERY', 'queries must be an array')
  return queries.map((query: unknown, index) => {
    if (typeof query !== 'object' || query === null) {
      throw new PipelineError(
        'INVALID_QUERY',
        `queries[${String(index)}] must be an object { sql, params?, callbackId? }`,
      )
    }
    const { sql, params, callbackId } = query as Record<string, unknown>
    return validateQueryShape(sql, params, callbackId, `queries[${String(index)}]`)
  })
}

/** The one query `addQuery` handed to the intake, accepted. */
function onlyAccepted(accepted: readonly AcceptedQuery[]): AcceptedQuery {
  const [only] = accepted
  if (!only) throw new PipelineError('INVALID_QUERY', 'the query was not accepted')
  return only
}
