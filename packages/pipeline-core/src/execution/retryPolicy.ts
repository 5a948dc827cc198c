import type { RetrySettings } from '@sluice/contract'

/**
 * Exponential backoff with jitter: attempt n (1-based, the retry number) waits
 * between half and all of `baseDelayMs * 2^(n-1)`, capped at `maxDelayMs`. Jitter keeps
 * many pipelines hitting the same deadlock from retrying in lockstep.
 */
export class RetryPolicy {
  constructor(private readonly config: RetrySettings) {}

  /** Whether a statement that has run `attempts` times may run once more. */
  canRetry(attempts: number): boolean {
    return attempts < this.config.maxAttempts
  }

  /** Milliseconds to wait before retry number `retry` (1 for the first retry). */
  delayMs(retry: number): number {
    const exponential = this.config.baseDelayMs * 2 ** Math.max(0, retry - 1)
    const capped = Math.min(this.config.maxDelayMs, exponential)
    return capped / 2 + Math.random() * (capped / 2)
  }

  /** Waits before retry number `retry`. */
  async wait(retry: number): Promise<void> {
    const delay = this.delayMs(retry)
    if (delay <= 0) return
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}
