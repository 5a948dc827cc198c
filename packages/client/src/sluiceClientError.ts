import type { EngineErrorCode } from '@sluice/contract'

/**
 * What went wrong with a call, as a stable code to switch on: the engine's own codes (see
 * `ENGINE_ERRORS` in `@sluice/contract`, e.g. `QUEUE_FULL`, `NOT_FOUND`, `INVALID_INPUT`), its
 * `INTERNAL` (500), and the client's:
 * - `NETWORK`: no answer came: the connection failed or broke. The request may have run; sending
 *   it again with the same `idempotencyKey` is safe.
 * - `TIMEOUT`: the call's `timeoutMs` passed before an answer (the request may have run too).
 * - `ABORTED`: the caller's `AbortSignal` fired.
 * - `INVALID_RESPONSE`: an answer that is not the engine's (not JSON, or not the expected shape:
 *   a proxy's error page, an engine of another version).
 * - `HTTP_ERROR`: an error status without the engine's error body (a proxy or gateway answered).
 * - `INVALID_OPTIONS`: the client or a call was given options it cannot use (the message says which).
 *
 * @example
 * const code: SluiceClientErrorCode = 'QUEUE_FULL'
 */
export type SluiceClientErrorCode =
  | EngineErrorCode
  | 'INTERNAL'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'INVALID_RESPONSE'
  | 'HTTP_ERROR'
  | 'INVALID_OPTIONS'

/** What a `SluiceClientError` carries besides its code and message. */
export interface SluiceClientErrorDetails {
  /** The HTTP status of the engine's answer; undefined when none came (`NETWORK`, `TIMEOUT`, `ABORTED`). */
  readonly status?: number | undefined
  /** The idempotency key the request was sent with: send again with it to never apply it twice. */
  readonly idempotencyKey?: string | undefined
  /** How many times the request was sent. */
  readonly attempts?: number | undefined
  /** How long the engine asked to wait before trying again (`Retry-After`), in ms. */
  readonly retryAfterMs?: number | undefined
  /** With `FORBIDDEN` for a role: the role the call needs. */
  readonly requiredRole?: string | undefined
  /** With `NOT_OWNER`: the engine that owns the pipeline. */
  readonly ownerUrl?: string | undefined
  readonly cause?: unknown
}

/**
 * The one error every call of the client throws (or rejects with). `message` is the engine's
 * own message when the engine answered.
 *
 * @example
 * try {
 *   await client.pipeline('orders').send([{ sql: 'SELECT 1' }])
 * } catch (error) {
 *   if (error instanceof SluiceClientError && error.code === 'NOT_FOUND') await createPipeline()
 *   else throw error
 * }
 */
export class SluiceClientError extends Error {
  override readonly name = 'SluiceClientError'
  readonly code: SluiceClientErrorCode
  readonly status: number | undefined
  readonly idempotencyKey: string | undefined
  readonly attempts: number | undefined
  readonly retryAfterMs: number | undefined
  readonly requiredRole: string | undefined
  readonly ownerUrl: string | undefined

  constructor(
    code: SluiceClientErrorCode,
    message: string,
    details: SluiceClientErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.status = details.status
    this.idempotencyKey = details.idempotencyKey
    this.attempts = details.attempts
    this.retryAfterMs = details.retryAfterMs
    this.requiredRole = details.requiredRole
    this.ownerUrl = details.ownerUrl
  }

  /** This error with what the retry loop knows added (the key, how many attempts were made). */
  withAttempts(idempotencyKey: string | undefined, attempts: number): SluiceClientError {
    return new SluiceClientError(this.code, this.message, {
      status: this.status,
      idempotencyKey,
      attempts,
      retryAfterMs: this.retryAfterMs,
      requiredRole: this.requiredRole,
      ownerUrl: this.ownerUrl,
      cause: this.cause,
    })
  }
}
