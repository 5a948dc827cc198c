import type { BatchCounts, PipelineSettingsInput, QueryStatus, Strategy } from '@sluice/contract'
import type pg from 'pg'
import type { PipelineInstrumentation } from './tracing/instrumentation'

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
  /**
   * The statement's shape (PostgreSQL's fingerprint: constants and parameters do not change it),
   * from the query's classification; unset when the parser could not classify it.
   */
  fingerprint?: string
  /**
   * Set when the optimizer did not send this query as its own statement: `merged` into a
   * statement with others, or `deduplicated` (answered by an identical read).
   */
  optimizedAs?: 'merged' | 'deduplicated'
}

/**
 * Options of `new QueryPipeline(...)`: its name and connection, and its settings (see
 * `PipelineSettingsInput` in @sluice/contract: every setting optional, defaults in
 * `PIPELINE_DEFAULTS`). Invalid values throw PipelineError INVALID_CONFIG naming the field.
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
export interface PipelineConfig extends PipelineSettingsInput {
  readonly name: string
  /** A connection string, a pg.PoolConfig, or a pg.Pool (which the pipeline will not end). */
  readonly connection: string | pg.PoolConfig | pg.Pool
  /**
   * Tracing and metrics. Default: OpenTelemetry through `@opentelemetry/api` (costs next to nothing
   * when no SDK is registered).
   */
  readonly instrumentation?: PipelineInstrumentation
}

/**
 * Lifecycle of a pipeline: `running`; `paused` (takes no new queries and starts no batch; what is
 * queued waits for `resume()`); `halted` (a `sequential` batch failed: takes no new queries until
 * `resume()`); `closing` (draining after `close()`); `closed`.
 *
 * @example
 * if (pipeline.getStatus().state === 'halted') pipeline.resume()
 */
export type PipelineState = 'running' | 'paused' | 'halted' | 'closing' | 'closed'

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
export interface BatchEvent extends BatchCounts {
  batchId: string
  pipeline: string
  strategy: Strategy
  size: number
  statements: number
  durationMs: number
  effectiveBatchSize: number
  traceId?: string
  /**
   * The spans that added its queries (the batch span's links): distinct, at most 128, absent
   * when no query had one. Open a caller's trace from here.
   */
  callers?: { traceId: string; spanId: string }[]
  startedAt: number
}
