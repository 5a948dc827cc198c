import { PipelineError } from '@sluice/pipeline-core'
import { EngineError } from '../errors'

/**
 * Maps a pipeline-core error to the engine's, keeping its message: each refusal reason has one
 * engine code, so both APIs answer it with the same status.
 *
 * @example
 * throw toEngineError(error)
 */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error
  if (!(error instanceof PipelineError)) {
    return new EngineError('UNAVAILABLE', error instanceof Error ? error.message : String(error), {
      cause: error,
    })
  }
  const { message } = error
  switch (error.code) {
    case 'INVALID_QUERY':
    case 'INVALID_CONFIG':
    case 'GROUP_TOO_LARGE':
    case 'TOO_MANY_PARAMETERS':
    case 'TOO_MANY_QUERIES':
      return new EngineError('INVALID_INPUT', message, { cause: error })
    case 'QUEUE_FULL':
      return new EngineError('QUEUE_FULL', message, { cause: error, retryAfterSeconds: 1 })
    case 'PIPELINE_PAUSED':
      return new EngineError('PIPELINE_PAUSED', message, { cause: error, retryAfterSeconds: 5 })
    case 'PIPELINE_HALTED':
      return new EngineError('PIPELINE_HALTED', message, { cause: error })
    case 'PIPELINE_CLOSED':
    case 'CONNECTION_LOST':
    case 'OUTCOME_UNKNOWN':
    case 'SKIPPED':
    case 'ROLLED_BACK':
    case 'INTERNAL':
    case 'ABANDONED':
    case 'TARGET_UNAVAILABLE':
      return new EngineError('UNAVAILABLE', message, { cause: error, retryAfterSeconds: 1 })
  }
}
