/**
 * Sluice's library: a `QueryPipeline` queues many small PostgreSQL queries, runs them as
 * pipelined batches (one round trip each) with a strategy, and hands every query its own result.
 * Settings, strategies, limits and span names come from `@sluice/contract`; the ones a library
 * user needs are re-exported here.
 *
 * @example
 * import { QueryPipeline } from '@sluice/pipeline-core'
 *
 * const pipeline = new QueryPipeline({ name: 'orders', connection: 'postgres://postgres@127.0.0.1:5432/test' })
 * const { result } = await pipeline.addQuery('SELECT $1::int + 1 AS n', [41])
 * console.log((await result).rows) // [{ n: 42 }]
 * await pipeline.close()
 */
export { QueryPipeline } from './pipeline/queryPipeline'
export type { AcceptedQuery, AddOptions } from './pipeline/queryPipeline'
export type { PipelineEvents, SubmittedQuery } from './pipeline/pipelineEvents'
export { PipelineError } from './errors'
export { statementShapeOf } from './sql/classifySql'
export { isLedgerConflict, ledgerTableName, ledgerTableStatements } from './idempotency/ledgerTable'
export type { IdempotencyLedger } from './idempotency/ledgerTable'
export type { TransactionMode } from './execution/transactionMode'
export {
  BATCH_SPAN_NAME,
  DbAttributes,
  PIPELINE_DEFAULTS,
  SluiceAttributes,
  STRATEGIES,
} from '@sluice/contract'
export type {
  PipelineErrorCode,
  PipelineSettings,
  PipelineSettingsInput,
  PipelineSettingsPatch,
  QueryInput,
  QueryStatus,
  Strategy,
} from '@sluice/contract'
export type {
  BatchEvent,
  PipelineConfig,
  PipelineState,
  PipelineStatus,
  QueryError,
  QueryResult,
  Row,
} from './types'
export type { Plan, PlannedStatement, StatementKind } from './plan/plan'
export type { ExplainedStatement, PlanExplanation } from './optimizer'
export { createOtelInstrumentation } from './tracing/otelInstrumentation'
export { SluiceMetrics } from './tracing/pipelineMetrics'
export type {
  BatchSummary,
  BatchTrace,
  PipelineInstrumentation,
  StatementSpanInfo,
  StatementTrace,
} from './tracing/instrumentation'
