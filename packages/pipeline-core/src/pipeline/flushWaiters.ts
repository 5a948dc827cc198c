interface FlushWaiter {
  /** Queries with a lower seq must finish. */
  readonly belowSeq: number
  remaining: number
  readonly resolve: () => void
}

/** `flush()` calls waiting for every query submitted before them to finish. */
export class FlushWaiters {
  private waiters: FlushWaiter[] = []

  /** Resolves once `outstanding` queries with seq below `belowSeq` have finished. */
  add(belowSeq: number, outstanding: number): Promise<void> {
    if (outstanding <= 0) return Promise.resolve()
    return new Promise((resolve) =>
      this.waiters.push({ belowSeq, remaining: outstanding, resolve }),
    )
  }

  /** Called once per finished query. */
  finished(seq: number): void {
    if (this.waiters.length === 0) return
    for (const waiter of this.waiters) {
      if (seq < waiter.belowSeq) waiter.remaining--
    }
    const done = this.waiters.filter((waiter) => waiter.remaining <= 0)
    if (done.length === 0) return
    this.waiters = this.waiters.filter((waiter) => waiter.remaining > 0)
    for (const waiter of done) waiter.resolve()
  }
}
