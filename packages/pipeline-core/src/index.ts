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
