import type { Context } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { recentBatchFromSpan } from './recentBatch'
import type { RecentBatchStore } from './recentBatchStore'

/**
 * A span processor that copies every ended `sluice.batch` span into a RecentBatchStore.
 * Runs whether or not spans are exported, so the console works without Jaeger.
 *
 * @example
 * const store = new RecentBatchStore(100)
 * const provider = new BasicTracerProvider({ spanProcessors: [new RecentBatchSpanProcessor(store)] })
 */
export class RecentBatchSpanProcessor implements SpanProcessor {
  constructor(private readonly store: RecentBatchStore) {}

  onStart(_span: Span, _parentContext: Context): void {
    // Only ended spans carry the outcome counts.
  }

  onEnd(span: ReadableSpan): void {
    const batch = recentBatchFromSpan(span)
    if (batch) this.store.add(batch)
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}
