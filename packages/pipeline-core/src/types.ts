import type pg from 'pg'
import type { PipelineInstrumentation } from './tracing/instrumentation'

/**
 * How a batch runs. See ARCHITECTURE.md, "The contract of a query".
 *
 * @example
 * const strategy: Strategy = 'transactional'
 */
export type Strategy = 'sequential' | 'parallel' | 'transactional' | 'best_effort'

/**
 * Every strategy name, for validation and UIs.
 *
 * @example
 * STRATEGIES.includes(input as Strategy) // validate a form field
 */
export const STRATEGIES: readonly Strategy[] = [
  'sequential',
  'parallel',
  'transactional',
  'best_effort',
]

/**
 * How a query ended: `skipped` (sequential, after a failure) and `rolled_back` (transactional,
 * another query failed) mean it had no effect.
 *
 * @example
 * if (result.status === 'rolled_back') retryLater(result.queryId)
 */
export type QueryStatus = 'succeeded' | 'failed' | 'skipped' | 'rolled_back'

/**
 * Why a query did not succeed.
 *
 * @example
 * if (result.error?.code === '23505') console.log('duplicate:', result.error.detail)
 */
export interface QueryError {
  message: string
  /** PostgreSQL's SQLSTATE (e.g. `23505`) or a Sluice `PipelineErrorCode`. */
  code?: string
  detail?: string
  /** True when a COMMIT was sent but no answer came back: it may or may not have applied. */
  outcomeUnknown?: boolean
}

/**
 * A row as pg returns it.
 *
 * @example
 * const row: Row = { id: 1, name: 'Ada' }
 */
export type Row = Record<string, unknown>

/**
 * The one result every accepted query ends with: never dropped, never reported twice.
 *
 * @example
 * const result = await pipeline.query('SELECT id FROM users WHERE email = $1', [email])
 * if (result.success) console.log(result.rows[0]); else console.error(result.error?.code, result.error?.message)
 */
export interface QueryResult<R = Row> {
  queryId: string
  status: QueryStatus
  success: boolean
  rows: R[]
  rowCount: number
  error?: QueryError
  /** How many times the query was re-run after a transient error. */
  retryCount: number
  callbackId?: string
  batchId: string
  durationMs: number
  /** Trace and span id of the statement that ran this query, when tracing is on. */
  traceId?: string
  spanId?: string
}

/**
 * Retries of transient errors (connection loss, 40001, 40P01, 57P01, 53300, ...), with
 * exponential backoff and jitter. Defaults: 3 attempts, 50 ms base, 5 s cap.
 *
 * @example
 * new QueryPipeline({ name: 'jobs', connection, retry: { maxAttempts: 5, baseDelayMs: 20 } })
 */
export interface RetryConfig {
  /** Total attempts including the first; 1 means no retry. */
  readonly maxAttempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs?: number
}

/**
 * Bounds for the adaptive batch size (optimizer on). Defaults: min batchSize/4, max batchSize
 * (it only shrinks below what you asked unless you raise max), target 250 ms.
 *
 * @example
 * new QueryPipeline({ name: 'etl', connection, batchSize: 500, adaptiveBatchSize: { max: 5_000, targetLatencyMs: 100 } })
 */
export interface AdaptiveBatchSizeConfig {
  readonly min: number
  readonly max: number
  /** Batch latency the controller keeps under. */
  readonly targetLatencyMs: number
}

/**
 * Options of `new QueryPipeline(...)`. Invalid values throw PipelineError INVALID_CONFIG naming
 * the field.
 *
 * @example
 * const config: PipelineConfig = {
 *   name: 'orders',
 *   connection: 'postgres://postgres@127.0.0.1:5432/test',
 *   strategy: 'best_effort',
 *   batchSize: 100,
 *   flushIntervalMs: 50,
 * }
 */
export interface PipelineConfig {
  readonly name: string
  /** A connection string, a pg.PoolConfig, or a pg.Pool (which the pipeline will not end). */
  readonly connection: string | pg.PoolConfig | pg.Pool
  /** Flush when this many queries are queued. Default 100. */
  readonly batchSize?: number
  /** ...or when the oldest queued query has waited this long (0: at the next tick). Default 100. */
  readonly flushIntervalMs?: number
  /** Default `best_effort`. */
  readonly strategy?: Strategy
  /** `addQuery` waits while this many queries are queued (not yet running). Default 10 000, at least batchSize. */
  readonly maxQueueSize?: number
  /** Connections the pipeline holds at most (and a `parallel` batch spreads over). Default 4. */
  readonly maxConnections?: number
  /**
   * Batches that may run at once, each on its own connection (`best_effort` and `parallel`
   * only; `sequential` and `transactional` always run one batch at a time). Default
   * maxConnections.
   */
  readonly maxInFlightBatches?: number
  readonly retry?: Partial<RetryConfig>
  /** The optimizer (dedupe, reorder, merge). Default true. */
  readonly optimize?: boolean
  readonly adaptiveBatchSize?: Partial<AdaptiveBatchSizeConfig> | false
  /** Keep results for `flush()`. False: results only through promises and the `result` event. */
  readonly retainResults?: boolean
  /**
   * Tracing and metrics. Default: OpenTelemetry through `@opentelemetry/api` (costs next to nothing
   * when no SDK is registered).
   */
  readonly instrumentation?: PipelineInstrumentation
}

/**
 * What `configure()` may change on a running pipeline (name and connection are fixed).
 *
 * @example
 * const change: PipelineSettings = { batchSize: 250, strategy: 'parallel' }
 * pipeline.configure(change)
 */
export type PipelineSettings = Pick<
  PipelineConfig,
  | 'batchSize'
  | 'flushIntervalMs'
  | 'strategy'
  | 'maxQueueSize'
  | 'maxConnections'
  | 'maxInFlightBatches'
  | 'retry'
  | 'optimize'
  | 'adaptiveBatchSize'
  | 'retainResults'
>

/**
 * Lifecycle of a pipeline: `running`; `paused` (accepts queries, runs none); `halted` (a
 * `sequential` batch failed; `resume()` continues); `closing` (draining after `close()`); `closed`.
 *
 * @example
 * if (pipeline.getStatus().state === 'halted') pipeline.resume()
 */
export type PipelineState = 'running' | 'paused' | 'halted' | 'closing' | 'closed'

/**
 * A query as given to `addGroup` or `explain`.
 *
 * @example
 * const input: QueryInput = { sql: 'DELETE FROM sessions WHERE id = $1', params: [id], callbackId: 'logout' }
 */
export interface QueryInput {
  sql: string
  params?: readonly unknown[]
  callbackId?: string
}

/**
 * What `getStatus()` reports.
 *
 * @example
 * const { queueSize, successRate, effectiveBatchSize } = pipeline.getStatus()
 */
export interface PipelineStatus {
  name: string
  state: PipelineState
  strategy: Strategy
  queueSize: number
  inFlight: number
  totalQueries: number
  totalBatches: number
  succeeded: number
  failed: number
  /** Share of finished queries that succeeded, 0..1 (1 when none finished). */
  successRate: number
  avgBatchSize: number
  avgExecutionTimeMs: number
  batchSize: number
  effectiveBatchSize: number
  deduplicated: number
  merged: number
  haltReason?: QueryError
}

/**
 * Emitted once per finished batch.
 *
 * @example
 * pipeline.on('batch', (event) => console.log(event.batchId, event.size, event.durationMs))
 */
export interface BatchEvent {
  batchId: string
  pipeline: string
  strategy: Strategy
  size: number
  statements: number
  durationMs: number
  succeeded: number
  failed: number
  skipped: number
  rolledBack: number
  deduplicated: number
  merged: number
  effectiveBatchSize: number
  traceId?: string
  /**
   * The spans that added its queries (the batch span's links): distinct, at most 128, absent
   * when no query had one. Open a caller's trace from here.
   */
  callers?: { traceId: string; spanId: string }[]
  startedAt: number
}
