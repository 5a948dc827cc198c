import { describe, expect, it } from 'vitest'
import { backoffMs, DEFAULT_RETRY, isRetryable, retryAfterMs, retryPolicy } from './retryPolicy'
import { SluiceClientError } from './sluiceClientError'

describe('backoffMs', () => {
  it('is full jitter under a ceiling that doubles per attempt up to maxDelayMs', () => {
    const policy = retryPolicy(DEFAULT_RETRY, { initialDelayMs: 100, maxDelayMs: 1_000 })
    const highest = (attempt: number) => backoffMs(policy, attempt, () => 0.999999)
    expect([1, 2, 3, 4, 5, 10].map(highest)).toEqual([99, 199, 399, 799, 999, 999])
    expect(backoffMs(policy, 3, () => 0)).toBe(0)
  })
})

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and ignores what is neither', () => {
    const now = Date.parse('2026-10-21T07:28:00Z')
    expect(retryAfterMs('2', now)).toBe(2_000)
    expect(retryAfterMs(' 0 ', now)).toBe(0)
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5_000)
    expect(retryAfterMs('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0)
    expect(retryAfterMs('soon', now)).toBeUndefined()
    expect(retryAfterMs('-1', now)).toBeUndefined()
    expect(retryAfterMs(null, now)).toBeUndefined()
  })
})

describe('isRetryable', () => {
  const failure = (code: SluiceClientError['code'], status?: number) =>
    new SluiceClientError(code, code, { status })
  it('retries lost answers, 5xx and 429, nothing a second try would answer the same', () => {
    expect(isRetryable(failure('NETWORK'))).toBe(true)
    expect(isRetryable(failure('QUEUE_FULL', 429))).toBe(true)
    expect(isRetryable(failure('UNAVAILABLE', 503))).toBe(true)
    expect(isRetryable(failure('INTERNAL', 500))).toBe(true)
    expect(isRetryable(failure('HTTP_ERROR', 502))).toBe(true)
    expect(isRetryable(failure('HTTP_ERROR', 501))).toBe(false)
    expect(isRetryable(failure('INVALID_INPUT', 400))).toBe(false)
    expect(isRetryable(failure('CONFLICT', 409))).toBe(false)
    expect(isRetryable(failure('TIMEOUT'))).toBe(false)
    expect(isRetryable(failure('ABORTED'))).toBe(false)
  })
})
