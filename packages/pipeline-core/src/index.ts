export { PipelineError } from './errors'
export type { PipelineErrorCode } from './errors'
export { STRATEGIES } from './types'
export type {
  AdaptiveBatchSizeConfig,
  BatchEvent,
  PipelineConfig,
  PipelineStatus,
  QueryError,
  QueryInput,
  QueryResult,
  QueryStatus,
  RetryConfig,
  Row,
  Strategy,
} from './types'
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
