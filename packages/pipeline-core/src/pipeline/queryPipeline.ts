import { randomBytes } from 'node:crypto'
import type { PipelineSettings as Settings } from '../types'
import { assertIdentity, assertSettingKeys, resolveSettings } from '../config/resolvedSettings'
import type { ResolvedSettings } from '../config/resolvedSettings'
import { PipelineError } from '../errors'
import { BatchExecutor } from '../execution/batchExecutor'
import { ConnectionSource } from '../execution/connectionSource'
import { skippedError } from '../execution/strategies/sequential'
import { explainPlan } from '../optimizer'
import type { PlanExplanation } from '../optimizer'
import type { PipelineInstrumentation } from '../tracing/instrumentation'
import { createOtelInstrumentation } from '../tracing/otelInstrumentation'
import type {
  PipelineConfig,
  PipelineState,
  PipelineStatus,
  QueryError,
  QueryInput,
  QueryResult,
} from '../types'
import { batchSizeControllerFor, plannerFor } from './optimizerWiring'
import type { BatchSizeController } from './optimizerWiring'
import { PipelineEventEmitter } from './pipelineEvents'
import type { PipelineEvents } from './pipelineEvents'
import { BatchDispatcher } from './batchDispatcher'
import { PipelineStats } from './pipelineStats'
import { QueryQueue } from './queryQueue'
import { ResultDelivery } from './resultDelivery'
import { skippedResult } from './queuedQuery'
import { QueryIntake } from './queryIntake'
import type { AcceptedQuery } from './queryIntake'
import type { AddOptions } from './addOptions'
import { validateQueryShape } from './queryValidation'
import type { ValidQuery } from './queryValidation'

export type { AcceptedQuery, AddOptions }

/**
 * Batches many small queries into pipelined round trips to PostgreSQL and gives every accepted
 * query exactly one QueryResult. See ARCHITECTURE.md, "The contract of a query".
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
  private settings: ResolvedSettings
  private state: PipelineState = 'running'
  private haltReason: QueryError | undefined
  private readonly source: ConnectionSource
  private readonly executor: BatchExecutor
  private readonly instrumentation: PipelineInstrumentation
  private readonly queue: QueryQueue
  private readonly events = new PipelineEventEmitter()
  private readonly stats = new PipelineStats()
  private readonly delivery: ResultDelivery
  private batchSize: BatchSizeController | undefined
  private readonly idPrefix = randomBytes(6).toString('hex')
  private readonly intake: QueryIntake
  private readonly dispatcher: BatchDispatcher
  private closing: Promise<void> | undefined

  constructor(config: PipelineConfig) {
    assertIdentity(config)
    const { name: _name, connection: _connection, instrumentation, ...settings } = config
    this.name = config.name
    this.settings = resolveSettings(settings)
    this.queue = new QueryQueue(this.settings.maxQueueSize)
    this.delivery = new ResultDelivery(this.events, this.stats, () => this.settings.retainResults)
    this.batchSize = batchSizeControllerFor(this.settings)
    this.source = new ConnectionSource(config.connection, this.settings.maxConnections)
    this.instrumentation = instrumentation ?? createOtelInstrumentation()
    this.executor = new BatchExecutor(this.name, this.source, this.instrumentation)
    this.dispatcher = new BatchDispatcher(
      {
        name: this.name,
        idPrefix: this.idPrefix,
        settings: () => this.settings,
        state: () => this.state,
        effectiveBatchSize: () => this.effectiveBatchSize(),
        batchObserved: (size, durationMs) => this.batchSize?.observe(size, durationMs),
        halt: (cause, batchId) => {
          this.halt(cause, batchId)
        },
        queueDepthChanged: () => {
          this.recordQueueDepth()
        },
      },
      {
        queue: this.queue,
        executor: this.executor,
        delivery: this.delivery,
        stats: this.stats,
        events: this.events,
      },
    )
    this.intake = new QueryIntake(this.queue, this.instrumentation, this.idPrefix, {
      assertAccepting: () => {
        this.assertAccepting()
      },
      strategy: () => this.settings.strategy,
      queued: (count) => {
        this.stats.recordAccepted(count)
        this.recordQueueDepth()
        if (this.queue.length >= this.effectiveBatchSize()) this.dispatcher.pump()
        else this.dispatcher.soon()
      },
    })
  }

  /**
   * Queues one query. Resolves once it is accepted (after waiting for room while the queue is
   * full, unless `wait: false`); `result` then resolves with its one QueryResult.
   * Throws PipelineError: INVALID_QUERY, TOO_MANY_PARAMETERS, QUEUE_FULL, PIPELINE_HALTED,
   * PIPELINE_CLOSED.
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
    let valid: ValidQuery
    try {
      valid = validateQueryShape(sql, params, options.callbackId)
      this.assertAccepting()
      const now = this.intake.acceptNow([valid], [''], false, options.callerContext)
      if (now) return Promise.resolve(onlyAccepted(now))
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
    return this.intake
      .accept([valid], [''], {
        wait: options.wait ?? true,
        group: false,
        callerContext: options.callerContext,
      })
      .then(onlyAccepted)
  }

  /**
   * Queues queries that always run in the same batch (for `transactional`, atomically). A group
   * larger than `batchSize` is refused with GROUP_TOO_LARGE. Nothing is queued if any query is
   * invalid.
   *
   * @example
   * const accepted = await pipeline.addGroup([
   *   { sql: 'UPDATE accounts SET balance = balance - $1 WHERE id = $2', params: [10, 1] },
   *   { sql: 'UPDATE accounts SET balance = balance + $1 WHERE id = $2', params: [10, 2] },
   * ])
   * const results = await Promise.all(accepted.map((query) => query.result))
   */
  async addGroup(
    queries: readonly QueryInput[],
    options: Pick<AddOptions, 'wait' | 'callerContext'> = {},
  ): Promise<AcceptedQuery[]> {
    if (!Array.isArray(queries))
      throw new PipelineError('INVALID_QUERY', 'queries must be an array')
    const valid = queries.map((query: unknown, index) => {
      if (typeof query !== 'object' || query === null) {
        throw new PipelineError(
          'INVALID_QUERY',
          `queries[${index}] must be an object { sql, params?, callbackId? }`,
        )
      }
      const { sql, params, callbackId } = query as Record<string, unknown>
      return validateQueryShape(sql, params, callbackId, `queries[${index}]`)
    })
    if (valid.length > this.settings.batchSize) {
      throw new PipelineError(
        'GROUP_TOO_LARGE',
        `the group has ${valid.length} queries but batchSize is ${this.settings.batchSize}; a group must fit in one batch`,
      )
    }
    this.assertAccepting()
    if (valid.length === 0) return []
    const labels = valid.map((_, index) => `queries[${index}]`)
    return (
      this.intake.acceptNow(valid, labels, true, options.callerContext) ??
      this.intake.accept(valid, labels, {
        wait: options.wait ?? true,
        group: true,
        callerContext: options.callerContext,
      })
    )
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
    const outstanding = this.queue.length + this.dispatcher.inFlightQueries
    if (outstanding > 0 && this.state !== 'paused') {
      const below = this.intake.nextSequence
      const done = this.delivery.waitFor(below, outstanding)
      this.dispatcher.flushBelow(below)
      await done
    }
    return this.delivery.takeRetained()
  }

  /**
   * Changes settings on a running pipeline; queued queries are kept and run with the new ones,
   * except the strategy: a query always runs with the strategy it was accepted under, and a batch
   * never mixes strategies (the queue is cut where the strategy changed). So a group queued under
   * `transactional` stays all or nothing after a switch to `best_effort`, and queries queued under
   * `sequential` still halt at a failure; only queries accepted after the change use the new
   * strategy. A batch size lowered below a queued group's size runs that group whole, alone.
   * `name` and `connection` cannot change. Throws INVALID_CONFIG naming the field.
   *
   * @example
   * pipeline.configure({ batchSize: 500, strategy: 'parallel' })
   */
  configure(partial: Settings): void {
    if (typeof partial !== 'object' || (partial as unknown) === null) {
      throw new PipelineError('INVALID_CONFIG', 'configure() takes an object of settings')
    }
    assertSettingKeys(partial)
    const previous = this.settings
    const next = resolveSettings(partial, previous)
    this.settings = next
    if (next.maxConnections !== previous.maxConnections) this.source.setLimit(next.maxConnections)
    if (next.maxQueueSize !== previous.maxQueueSize) this.queue.setCapacity(next.maxQueueSize)
    if (
      next.batchSize !== previous.batchSize ||
      next.adaptiveBatchSize !== previous.adaptiveBatchSize
    ) {
      this.batchSize = batchSizeControllerFor(next)
    }
    if (!next.retainResults) this.delivery.dropRetained()
    // Re-arms the interval timer with the new settings too.
    this.dispatcher.pump()
  }

  /**
   * Stops running batches (queries are still accepted up to maxQueueSize). Batches already
   * running finish.
   *
   * @example
   * pipeline.pause(); pipeline.getStatus().state // 'paused'
   */
  pause(): void {
    if (this.state !== 'running') return
    this.state = 'paused'
    this.dispatcher.disarm()
  }

  /**
   * Continues a paused pipeline, or a `sequential` pipeline halted by a failure.
   *
   * @example
   * if (pipeline.getStatus().state === 'halted') pipeline.resume()
   */
  resume(): void {
    if (this.state !== 'paused' && this.state !== 'halted') return
    this.state = 'running'
    this.haltReason = undefined
    this.dispatcher.pump()
  }

  /**
   * Stops intake, runs everything queued and waits for it, then ends the connection pool (unless
   * the pool was given by the caller). Callers still waiting for room get PIPELINE_CLOSED.
   *
   * @example
   * process.on('SIGTERM', () => void pipeline.close())
   */
  close(): Promise<void> {
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
    if (!Array.isArray(queries))
      throw new PipelineError('INVALID_QUERY', 'queries must be an array')
    const valid = queries.map((query: unknown, index) => {
      const { sql, params, callbackId } = (
        typeof query === 'object' && query !== null ? query : {}
      ) as Record<string, unknown>
      return validateQueryShape(sql, params, callbackId, `queries[${index}]`)
    })
    const settings = this.settings
    return explainPlan(
      valid,
      this.executor.planningContext(settings.strategy),
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
    const status: PipelineStatus = {
      name: this.name,
      state: this.state,
      strategy: this.settings.strategy,
      queueSize: this.queue.length,
      inFlight: this.dispatcher.inFlightQueries,
      ...this.stats.snapshot(),
      batchSize: this.settings.batchSize,
      effectiveBatchSize: this.effectiveBatchSize(),
    }
    if (this.haltReason) status.haltReason = this.haltReason
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
    this.events.on(event, listener)
    return this
  }

  /**
   * Removes a listener added with `on`.
   *
   * @example
   * pipeline.off('batch', onBatch)
   */
  off<K extends keyof PipelineEvents>(event: K, listener: PipelineEvents[K]): this {
    this.events.off(event, listener)
    return this
  }

  private assertAccepting(): void {
    if (this.state === 'closing' || this.state === 'closed') {
      throw new PipelineError('PIPELINE_CLOSED', `pipeline '${this.name}' is closed`)
    }
    if (this.state === 'halted') {
      throw new PipelineError(
        'PIPELINE_HALTED',
        `pipeline '${this.name}' halted after a failed query (${this.haltReason?.code ?? 'error'}: ${this.haltReason?.message ?? ''}); call resume()`,
      )
    }
  }

  private effectiveBatchSize(): number {
    return this.batchSize?.current() ?? this.settings.batchSize
  }

  /**
   * A sequential batch failed: nothing queued after it may run (it may depend on the failure),
   * so every queued query is skipped, and intake stops until resume().
   */
  private halt(cause: QueryError, batchId: string): void {
    if (this.state === 'running' || this.state === 'paused') {
      this.state = 'halted'
      this.haltReason = cause
    }
    const error = skippedError(cause)
    for (const query of this.queue.takeAll()) {
      this.delivery.deliver(query, skippedResult(query, error, batchId))
    }
    this.recordQueueDepth()
    this.queue.rejectWaiters(
      new PipelineError(
        'PIPELINE_HALTED',
        `pipeline '${this.name}' halted after a failed query (${cause.code ?? 'error'}: ${cause.message}); call resume()`,
      ),
    )
  }

  private recordQueueDepth(): void {
    this.instrumentation.recordQueueDepth(this.name, this.queue.length)
  }

  private async drainAndEnd(): Promise<void> {
    this.state = 'closing'
    this.queue.rejectWaiters(
      new PipelineError('PIPELINE_CLOSED', `pipeline '${this.name}' is closing`),
    )
    this.dispatcher.pump()
    await this.dispatcher.whenIdle()
    this.dispatcher.disarm()
    this.state = 'closed'
    await this.source.end()
  }
}

/** The one query `addQuery` handed to the intake, accepted. */
function onlyAccepted(accepted: readonly AcceptedQuery[]): AcceptedQuery {
  const [only] = accepted
  if (!only) throw new PipelineError('INVALID_QUERY', 'the query was not accepted')
  return only
}
