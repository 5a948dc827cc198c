/**
 * The two wake-ups of a pipeline's dispatcher: "soon" (the next turn of the event loop, so many
 * adds made in one tick share one batch) and "at" (when the oldest queued query will have waited
 * flushIntervalMs). Each is armed at most once at a time.
 */
export class FlushTimer {
  private timeout: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined

  constructor(private readonly wake: () => void) {}

  /** Wakes on the next turn of the event loop (coalesced). */
  soon(): void {
    this.immediate ??= setImmediate(() => {
      this.immediate = undefined
      this.wake()
    })
  }

  /** Wakes after `delayMs` (replacing any earlier deadline). */
  after(delayMs: number): void {
    this.clearTimeout()
    this.timeout = setTimeout(
      () => {
        this.timeout = undefined
        this.wake()
      },
      Math.max(0, delayMs),
    )
  }

  /** Cancels the pending "soon" (the dispatcher is running now anyway). */
  clearSoon(): void {
    if (this.immediate) clearImmediate(this.immediate)
    this.immediate = undefined
  }

  clearTimeout(): void {
    if (this.timeout) clearTimeout(this.timeout)
    this.timeout = undefined
  }

  clear(): void {
    this.clearSoon()
    this.clearTimeout()
  }
}
