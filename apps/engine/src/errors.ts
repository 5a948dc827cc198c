import type { EngineErrorCode } from '@sluice/contract'

/**
 * The one error type the engine's own code throws; the HTTP and tRPC layers answer `code` with
 * its one status (`ENGINE_ERRORS` in @sluice/contract).
 *
 * @example
 * throw new EngineError('NOT_FOUND', 'no pipeline named "orders"')
 */
export class EngineError extends Error {
  override readonly name = 'EngineError'
  readonly code: EngineErrorCode
  /** For `QUEUE_FULL`, `PIPELINE_PAUSED` and `UNAVAILABLE`: when to try again. */
  readonly retryAfterSeconds: number | undefined

  constructor(
    code: EngineErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.retryAfterSeconds = options?.retryAfterSeconds
  }
}
