import type { QueryResult } from '../types'
import { FlushWaiters } from './flushWaiters'
import type { PipelineEventEmitter } from './pipelineEvents'
import type { PipelineStats } from './pipelineStats'
import type { QueuedQuery } from './queuedQuery'

/**
 * Where a finished query's one result goes: its promise, the `result` listeners, the counters,
 * the results kept for `flush()` (unless streaming), and the `flush()` calls waiting for it.
 */
export class ResultDelivery {
  private retained: { seq: number; result: QueryResult }[] = []
  private readonly waiters = new FlushWaiters()

  constructor(
    private readonly events: PipelineEventEmitter,
    private readonly stats: PipelineStats,
    private readonly retain: () => boolean,
  ) {}

  deliver(query: QueuedQuery, result: QueryResult): void {
    this.stats.recordOutcome(result.success)
    if (this.retain()) this.retained.push({ seq: query.seq, result })
    query.resolve(result)
    if (this.events.hasListeners('result')) {
      const submitted =
        query.callbackId === undefined
          ? { sql: query.sql, params: query.submittedParams }
          : { sql: query.sql, params: query.submittedParams, callbackId: query.callbackId }
      this.events.emit('result', result, submitted)
    }
    this.waiters.finished(query.seq)
  }

  /** Resolves once `outstanding` queries with a seq below `belowSeq` were delivered. */
  waitFor(belowSeq: number, outstanding: number): Promise<void> {
    return this.waiters.add(belowSeq, outstanding)
  }

  /** Every result kept since the last call, in submission order. */
  takeRetained(): QueryResult[] {
    const results = this.retained.sort((a, b) => a.seq - b.seq).map((entry) => entry.result)
    this.retained = []
    return results
  }

  /** Drops what is kept (streaming mode switched on). */
  dropRetained(): void {
    this.retained = []
  }
}
