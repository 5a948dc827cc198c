import { PipelineError } from '@sluice/pipeline-core'
import { EngineError } from '../errors'

/**
 * Maps a pipeline-core error to the engine's, keeping its message; `where` says which query of a
 * request it was about (e.g. `queries[3]`).
 *
 * @example
 * throw toEngineError(error, 'queries[0]')
 */
export function toEngineError(error: unknown, where?: string): EngineError {
  if (error instanceof EngineError) return error
  if (!(error instanceof PipelineError)) {
    return new EngineError('UNAVAILABLE', error instanceof Error ? error.message : String(error), {
      cause: error,
    })
  }
  const message = where === undefined ? error.message : `${where}: ${error.message}`
  switch (error.code) {
    case 'INVALID_QUERY':
    case 'INVALID_CONFIG':
    case 'GROUP_TOO_LARGE':
    case 'TOO_MANY_PARAMETERS':
      return new EngineError('INVALID_INPUT', message, { cause: error })
    case 'QUEUE_FULL':
      return new EngineError('QUEUE_FULL', message, { cause: error, retryAfterSeconds: 1 })
    case 'PIPELINE_HALTED':
      return new EngineError('PIPELINE_HALTED', `${message} (resume the pipeline to continue)`, {
        cause: error,
      })
    case 'PIPELINE_CLOSED':
    case 'CONNECTION_LOST':
    case 'OUTCOME_UNKNOWN':
    case 'SKIPPED':
    case 'ROLLED_BACK':
    case 'INTERNAL':
      return new EngineError('UNAVAILABLE', message, { cause: error, retryAfterSeconds: 1 })
    default:
      return new EngineError('UNAVAILABLE', message, { cause: error })
  }
}
