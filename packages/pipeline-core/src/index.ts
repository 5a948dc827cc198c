export { QueryPipeline } from './pipeline/queryPipeline'
export type { AcceptedQuery, AddOptions } from './pipeline/queryPipeline'
export type { PipelineEvents, SubmittedQuery } from './pipeline/pipelineEvents'
export { PipelineError } from './errors'
export type { PipelineErrorCode } from './errors'
export { STRATEGIES } from './types'
export type {
  AdaptiveBatchSizeConfig,
  BatchEvent,
  PipelineConfig,
  PipelineSettings,
  PipelineState,
  PipelineStatus,
  QueryError,
  QueryInput,
  QueryResult,
  QueryStatus,
  RetryConfig,
  Row,
  Strategy,
} from './types'
export type { Plan, PlannedStatement, StatementKind } from './plan/plan'
export type { ExplainedStatement, PlanExplanation } from './optimizer'
export { createOtelInstrumentation } from './tracing/otelInstrumentation'
export { BATCH_SPAN_NAME, DbAttributes, SluiceAttributes } from './tracing/tracingAttributes'
export { SluiceMetrics } from './tracing/pipelineMetrics'
export type {
  BatchSummary,
  BatchTrace,
  PipelineInstrumentation,
  StatementSpanInfo,
  StatementTrace,
} from './tracing/instrumentation'
