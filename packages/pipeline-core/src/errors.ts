import type { PipelineErrorCode } from '@sluice/contract'

/**
 * The one error type Sluice throws. `code` says what kind of problem it is; the message names
 * what was wrong.
 *
 * @example
 * try {
 *   await pipeline.addQuery(42 as unknown as string)
 * } catch (error) {
 *   if (error instanceof PipelineError && error.code === 'INVALID_QUERY') console.error(error.message)
 * }
 */
export class PipelineError extends Error {
  override readonly name = 'PipelineError'
  readonly code: PipelineErrorCode

  constructor(code: PipelineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
