import type { SpanContext } from '@opentelemetry/api'
import { ROOT_CONTEXT, SpanKind, context, isSpanContextValid, trace } from '@opentelemetry/api'
import { ActiveTracer } from './activeTracer'
import { OtelBatchTrace } from './batchTrace'
import type { BatchSpan } from './batchTrace'
import { callerLinks } from './callerLinks'
import type { BatchTrace, PipelineInstrumentation } from './instrumentation'
import { NOOP_BATCH_TRACE } from './noopTraces'
import { PipelineMetrics } from './pipelineMetrics'
import { BATCH_SPAN_NAME, SluiceAttributes } from '@sluice/contract'

let shared: { tracer: ActiveTracer; metrics: PipelineMetrics } | undefined

/**
 * Tracing and metrics of pipelines on `@opentelemetry/api` alone (tracer and meter named
 * `@sluice/pipeline-core`); whichever SDK the application registers receives them.
 *
 * - A `sluice.batch` INTERNAL span per batch: a new trace, linked to the span of each caller
 *   that added a query (deduplicated, at most 128 links), since one batch serves many requests.
 * - A CLIENT child span per statement sent to PostgreSQL, named and attributed per the
 *   database semantic conventions (`INSERT public.users`; `db.query.text` normalized so that
 *   no value, bound or inline, is ever recorded; `db.response.status_code` / `error.type` and
 *   status ERROR on failure). A merged statement is one span with `db.operation.batch.size`.
 * - Metrics, all with `sluice.pipeline.name`: histograms `sluice.batch.size` ({query}) and
 *   `sluice.batch.duration` (seconds), counters `sluice.queries` (by `sluice.query.outcome`)
 *   and `sluice.queries.optimized`, observable gauge `sluice.queue.depth`, and semconv's
 *   `db.client.operation.duration` (seconds) per statement.
 *
 * With no SDK registered, each call is a couple of property reads: no spans, no attribute
 * objects. A batch that is not sampled records metrics only, and its statements get no spans.
 *
 * @example
 * import { createOtelInstrumentation } from '@sluice/pipeline-core'
 *
 * const instrumentation = createOtelInstrumentation()
 * const caller = instrumentation.captureCallerContext() // when a query is added
 * const batch = instrumentation.startBatch({
 *   pipeline: 'orders', strategy: 'parallel', batchId: 'b-1', size: 1, links: caller ? [caller] : [],
 * })
 * const statement = batch.startStatement({ text: 'INSERT INTO public.orders (id) VALUES ($1)', operation: 'INSERT', collection: 'public.orders' })
 * statement.end() // or statement.end({ code: '23505', message: 'duplicate key ...' })
 * batch.end({ succeeded: 1, failed: 0, skipped: 0, rolledBack: 0, merged: 0, deduplicated: 0, durationMs: 3 })
 */
export function createOtelInstrumentation(): PipelineInstrumentation {
  // Shared by every pipeline of the process: one set of instruments and one queue-depth
  // callback per MeterProvider, however many pipelines come and go.
  shared ??= { tracer: new ActiveTracer(), metrics: new PipelineMetrics() }
  const { tracer, metrics } = shared

  return {
    captureCallerContext(): SpanContext | undefined {
      // Called for every query: the root context (no context manager, or no span active) is
      // the common case, and answers without looking up the tracer.
      const active = context.active()
      if (active === ROOT_CONTEXT || !tracer.get()) return undefined
      const caller = trace.getSpanContext(active)
      return caller && isSpanContextValid(caller) ? caller : undefined
    },

    startBatch(info): BatchTrace {
      const active = tracer.get()
      let traced: BatchSpan | undefined
      if (active) {
        const span = active.startSpan(BATCH_SPAN_NAME, {
          kind: SpanKind.INTERNAL,
          // A batch is its own trace: the context a flush happens in belongs to one caller only.
          root: true,
          links: callerLinks(info.links),
          attributes: {
            [SluiceAttributes.pipelineName]: info.pipeline,
            [SluiceAttributes.batchStrategy]: info.strategy,
            [SluiceAttributes.batchSize]: info.size,
            [SluiceAttributes.batchId]: info.batchId,
          },
        })
        if (span.isRecording()) traced = { span, tracer: active }
      }
      if (!traced && !metrics.statementsEnabled) return NOOP_BATCH_TRACE
      return new OtelBatchTrace(traced, metrics, info.pipeline, info.size)
    },

    recordQueueDepth(pipeline: string, depth: number): void {
      metrics.recordQueueDepth(pipeline, depth)
    },
  }
}
