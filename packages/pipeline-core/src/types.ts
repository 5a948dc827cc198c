import type pg from 'pg'
import type { PipelineInstrumentation } from './tracing/instrumentation'

/** How a batch runs. See ARCHITECTURE.md, "The contract of a query". */
export type Strategy = 'sequential' | 'parallel' | 'transactional' | 'best_effort'

/** Every strategy name, for validation and UIs. */
export const STRATEGIES: readonly Strategy[] = ['sequential', 'parallel', 'transactional', 'best_effort']

/** How a query ended. */
export type QueryStatus = 'succeeded' | 'failed' | 'skipped' | 'rolled_back'

/** Why a query did not succeed. */
export interface QueryError {
  message: string
  /** PostgreSQL's SQLSTATE (e.g. `23505`) or a Sluice `PipelineErrorCode`. */
  code?: string
  detail?: string
  /** True when a COMMIT was sent but no answer came back: it may or may not have applied. */
  outcomeUnknown?: boolean
}

/** A row as pg returns it. */
export type Row = Record<string, unknown>

/** The one result every accepted query ends with. */
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

/** Retries of transient errors (connection loss, 40001, 40P01, 57P01, 53300, ...). */
export interface RetryConfig {
  /** Total attempts including the first; 1 means no retry. */
  readonly maxAttempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs?: number
}

/** Bounds for the adaptive batch size (optimizer on). */
export interface AdaptiveBatchSizeConfig {
  readonly min: number
  readonly max: number
  /** Batch latency the controller keeps under. */
  readonly targetLatencyMs: number
}

/** Options of `new QueryPipeline(...)`. */
export interface PipelineConfig {
  readonly name: string
  /** A connection string, a pg.PoolConfig, or a pg.Pool (which the pipeline will not end). */
  readonly connection: string | pg.PoolConfig | pg.Pool
  readonly batchSize?: number
  readonly flushIntervalMs?: number
  readonly strategy?: Strategy
  readonly maxQueueSize?: number
  readonly maxConnections?: number
  /** Batches that may run at once (each on its own connection). */
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

/** What `configure()` may change on a running pipeline (name and connection are fixed). */
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
 */
export type PipelineState = 'running' | 'paused' | 'halted' | 'closing' | 'closed'

/** A query as given to `addGroup` or `explain`. */
export interface QueryInput {
  sql: string
  params?: readonly unknown[]
  callbackId?: string
}

/** What `getStatus()` reports. */
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

/** Emitted once per finished batch. */
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
  startedAt: number
}
