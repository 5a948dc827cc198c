import { PipelineError } from '../errors'
import type { QueuedQuery } from './queuedQuery'

interface Waiter {
  readonly size: number
  readonly resolve: () => void
  readonly reject: (error: PipelineError) => void
}

/**
 * The bounded FIFO of accepted queries. Space is reserved before queries are added, in call order
 * (callers that must wait are served first come, first served), so the queue never holds more
 * than `capacity` and submission order is the order of `reserve` calls.
 */
export class QueryQueue {
  private items: QueuedQuery[] = []
  private head = 0
  private reserved = 0
  private readonly waiters: Waiter[] = []

  constructor(private capacity: number) {}

  get length(): number {
    return this.items.length - this.head
  }

  get waiting(): number {
    return this.waiters.length
  }

  /** The query that has waited longest, if any. */
  peek(): QueuedQuery | undefined {
    return this.items[this.head]
  }

  setCapacity(capacity: number): void {
    this.capacity = capacity
    this.serveWaiters()
  }

  /**
   * Reserves room for `size` queries at once if nobody is ahead (no waiter, no reservation not
   * yet used); otherwise returns false. Synchronous, so the caller can add right after.
   */
  tryReserve(size: number): boolean {
    if (this.waiters.length > 0 || this.reserved > 0 || !this.fits(size)) return false
    this.reserved += size
    return true
  }

  /** Waits, first come first served, until room for `size` queries is reserved for the caller. */
  waitForRoom(size: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ size, resolve, reject })
      this.serveWaiters()
    })
  }

  /** The error for a caller of `size` queries that would not wait. */
  fullError(size: number): PipelineError {
    return new PipelineError(
      'QUEUE_FULL',
      `the queue has no room for ${String(size)} more (${String(this.length)} queued, maxQueueSize ${String(this.capacity)}); retry later or pass wait: true`,
    )
  }

  /** Adds queries whose room was reserved. */
  push(queries: readonly QueuedQuery[]): void {
    this.reserved = Math.max(0, this.reserved - queries.length)
    for (const query of queries) this.items.push(query)
    this.serveWaiters()
  }

  /** Gives back room reserved for queries that were not added after all. */
  unreserve(size: number): void {
    this.reserved = Math.max(0, this.reserved - size)
    this.serveWaiters()
  }

  /**
   * Takes up to `maxSize` queries from the front without splitting a group; a group larger than
   * `maxSize` (batchSize lowered after it was queued) is taken whole, alone. A batch never mixes
   * strategies: it stops before the first query accepted under another strategy than the front.
   * A group with its own transaction mode is a batch alone (its BEGIN is the batch's).
   */
  take(maxSize: number): QueuedQuery[] {
    const batch: QueuedQuery[] = []
    const strategy = this.items[this.head]?.strategy
    while (this.length > 0) {
      const first = this.items[this.head]
      if (!first || first.strategy !== strategy) break
      const groupLength = this.groupLengthAt(this.head)
      if (batch.length > 0 && batch.length + groupLength > maxSize) break
      if (batch.length > 0 && (first.transaction ?? batch[0]?.transaction) !== undefined) break
      for (let index = 0; index < groupLength; index++) {
        const item = this.items[this.head++]
        if (item) batch.push(item)
      }
      if (batch.length >= maxSize || first.transaction !== undefined) break
    }
    this.compact()
    this.serveWaiters()
    return batch
  }

  /** Removes and returns everything queued. */
  takeAll(): QueuedQuery[] {
    const all = this.items.slice(this.head)
    this.items = []
    this.head = 0
    this.serveWaiters()
    return all
  }

  /** Refuses every caller still waiting for room. */
  rejectWaiters(error: PipelineError): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error)
  }

  private fits(size: number): boolean {
    return this.length + this.reserved + size <= this.capacity || this.length + this.reserved === 0
  }

  private serveWaiters(): void {
    for (;;) {
      const next = this.waiters[0]
      if (!next || !this.fits(next.size)) return
      this.waiters.shift()
      this.reserved += next.size
      next.resolve()
    }
  }

  private groupLengthAt(start: number): number {
    const groupId = this.items[start]?.groupId
    if (groupId === undefined) return 1
    let end = start
    while (this.items[end]?.groupId === groupId) end++
    return end - start
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }
}
