import { SpanStatusCode } from '@opentelemetry/api'
import { hrTimeToMilliseconds } from '@opentelemetry/core'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { BATCH_SPAN_NAME, INSTRUMENTATION_SCOPE, SluiceAttributes } from '@sluice/contract'
import type { BatchCounts } from '@sluice/contract'

/**
 * One finished batch, as its `sluice.batch` span recorded it.
 *
 * @example
 * for (const batch of telemetry.recentBatches.list('orders', 20)) {
 *   console.log(batch.batchId, batch.size, batch.durationMs, `http://localhost:16686/trace/${batch.traceId}`)
 * }
 */
export interface RecentBatch extends BatchCounts {
  readonly pipeline: string
  readonly batchId: string
  /** Open it in Jaeger: `http://localhost:16686/trace/{traceId}`. */
  readonly traceId: string
  readonly spanId: string
  readonly strategy: string
  /** Queries in the batch. */
  readonly size: number
  /** Statements sent to PostgreSQL (fewer than `size` when merged or deduplicated). */
  readonly statements: number
  /** When the batch started, ms since the epoch. */
  readonly startTime: number
  readonly durationMs: number
  /** The span's error message when a query failed. */
  readonly error?: string
  /** The spans that added its queries (the batch span's links): open their traces from here. */
  readonly callers: readonly { readonly traceId: string; readonly spanId: string }[]
}

function count(span: ReadableSpan, key: string): number {
  const value = span.attributes[key]
  return typeof value === 'number' ? value : 0
}

/** The batch a span describes, or `undefined` for any other span. */
export function recentBatchFromSpan(span: ReadableSpan): RecentBatch | undefined {
  if (span.name !== BATCH_SPAN_NAME || span.instrumentationScope.name !== INSTRUMENTATION_SCOPE)
    return undefined
  const pipeline = span.attributes[SluiceAttributes.pipelineName]
  if (typeof pipeline !== 'string') return undefined
  const { traceId, spanId } = span.spanContext()
  return {
    pipeline,
    batchId: String(span.attributes[SluiceAttributes.batchId] ?? ''),
    traceId,
    spanId,
    strategy: String(span.attributes[SluiceAttributes.batchStrategy] ?? ''),
    size: count(span, SluiceAttributes.batchSize),
    statements: count(span, SluiceAttributes.batchStatements),
    startTime: hrTimeToMilliseconds(span.startTime),
    durationMs: hrTimeToMilliseconds(span.duration),
    succeeded: count(span, SluiceAttributes.batchSucceeded),
    failed: count(span, SluiceAttributes.batchFailed),
    skipped: count(span, SluiceAttributes.batchSkipped),
    rolledBack: count(span, SluiceAttributes.batchRolledBack),
    merged: count(span, SluiceAttributes.batchMerged),
    deduplicated: count(span, SluiceAttributes.batchDeduplicated),
    ...(span.status.code === SpanStatusCode.ERROR ? { error: span.status.message ?? 'error' } : {}),
    callers: span.links.map(({ context }) => ({
      traceId: context.traceId,
      spanId: context.spanId,
    })),
  }
}
