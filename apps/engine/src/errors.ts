/**
 * What went wrong in the engine, as a stable code:
 * - `INVALID_INPUT`: a request or config is malformed; the message names the field.
 * - `NOT_FOUND`: no pipeline, target or failed query by that name or id (or no such route).
 * - `METHOD_NOT_ALLOWED`: the route exists but not with that HTTP method.
 * - `CONFLICT`: the thing exists already, or cannot change that way now.
 * - `PAYLOAD_TOO_LARGE`: a request body over the engine's limit.
 * - `QUEUE_FULL`: the pipeline's queue is full; try again after `retryAfterSeconds`.
 * - `PIPELINE_PAUSED`: the pipeline is paused by an operator.
 * - `PIPELINE_HALTED`: a `sequential` pipeline stopped at a failure; resume it.
 * - `UNAUTHORIZED`: missing or wrong bearer token.
 * - `FORBIDDEN`: a request a web page could have sent behind the operator's back (cross-site, or
 *   addressed to a non-loopback name while no token guards the API).
 * - `UNAVAILABLE`: the engine is shutting down, or a dependency is down.
 */
export type EngineErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'QUEUE_FULL'
  | 'PIPELINE_PAUSED'
  | 'PIPELINE_HALTED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNAVAILABLE'

/**
 * The one error type the engine's own code throws; HTTP and tRPC layers map `code` to a status.
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

/** HTTP status for each code. */
export const httpStatusOf: Readonly<Record<EngineErrorCode, number>> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  QUEUE_FULL: 429,
  PIPELINE_PAUSED: 503,
  PIPELINE_HALTED: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  UNAVAILABLE: 503,
}
