import { SluiceClientError } from './sluiceClientError'

/**
 * When and how a call is sent again. Every request carries an idempotency key, so sending it
 * again never applies it twice: a retry is always safe.
 */
export interface RetryOptions {
  /** Most times a request is sent, the first included. Default 6; 1 turns retries off. */
  readonly maxAttempts?: number
  /** The first backoff's ceiling, in ms. Default 100. */
  readonly initialDelayMs?: number
  /** No backoff is longer than this, in ms (a `Retry-After` may be). Default 5000. */
  readonly maxDelayMs?: number
}

/** `RetryOptions` with every default filled in. */
export type RetryPolicy = Required<RetryOptions>

/** The defaults of `RetryOptions`. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
})

/**
 * `options` over `base`, checked: a value that cannot work is an `INVALID_OPTIONS` error naming it.
 *
 * @example
 * retryPolicy(DEFAULT_RETRY, { maxAttempts: 3 }) // { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 5000 }
 */
export function retryPolicy(base: RetryPolicy, options: RetryOptions | undefined): RetryPolicy {
  const policy = { ...base, ...options }
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1)
    throw new SluiceClientError(
      'INVALID_OPTIONS',
      `retry.maxAttempts must be an integer >= 1, got ${String(policy.maxAttempts)}`,
    )
  for (const name of ['initialDelayMs', 'maxDelayMs'] as const) {
    if (!Number.isFinite(policy[name]) || policy[name] < 0)
      throw new SluiceClientError(
        'INVALID_OPTIONS',
        `retry.${name} must be a number of ms >= 0, got ${String(policy[name])}`,
      )
  }
  return Object.freeze(policy)
}

/**
 * The wait before attempt `attempt + 1` (after `attempt` failed, counting from 1): capped
 * exponential backoff with full jitter, uniformly random in [0, min(maxDelayMs, initialDelayMs ·
 * 2^(attempt − 1))], so that many clients that failed together do not come back together.
 *
 * @example
 * backoffMs(DEFAULT_RETRY, 3) // somewhere in [0, 400]
 */
export function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1))
  return Math.floor(random() * ceiling)
}

/**
 * A `Retry-After` header in ms: delay-seconds or an HTTP date (RFC 9110); undefined when absent
 * or unreadable. A date in the past is 0.
 *
 * @example
 * retryAfterMs('2') // 2000
 * retryAfterMs('Wed, 21 Oct 2026 07:28:00 GMT') // ms from now until then
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // HTTP dates name their day and month; anything else (`-1`) is not one, however Date.parse reads it.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * Whether a failed attempt is worth sending again: no answer (`NETWORK`, an attempt's own
 * timeout), the engine or a gateway failing (5xx), too many requests (429), or the same key's
 * first request still running (`REQUEST_IN_PROGRESS`). Anything else would fail the same way.
 *
 * @example
 * isRetryable(new SluiceClientError('QUEUE_FULL', 'full', { status: 429 })) // true
 * isRetryable(new SluiceClientError('INVALID_INPUT', 'bad', { status: 400 })) // false
 */
export function isRetryable(error: SluiceClientError): boolean {
  if (error.code === 'NETWORK') return true
  if ((error.code as string) === 'REQUEST_IN_PROGRESS' || error.status === 429) return true
  return error.status !== undefined && error.status >= 500 && error.status !== 501
}
