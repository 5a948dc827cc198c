import type { SpanContext } from '@opentelemetry/api'
import type { BatchCounts, Strategy } from '@sluice/contract'

/*
 * The contract between the executor and tracing/metrics (implemented in src/tracing with
 * @opentelemetry/api only: no SDK, close to no cost when none is set up).
 */

/**
 * Facts about a statement, for its CLIENT span (database semantic conventions).
 *
 * @example
 * const info: StatementSpanInfo = { text: 'INSERT INTO public.users (id) VALUES ($1), ($2)', operation: 'INSERT', collection: 'public.users', batchSize: 2 }
 */
export interface StatementSpanInfo {
  readonly text: string
  readonly operation?: string
  readonly collection?: string
  /** Set for merged statements: how many queries it answers. */
  readonly batchSize?: number
  readonly namespace?: string
  readonly serverAddress?: string
  readonly serverPort?: number
}

/**
 * A statement's span; `end` records the outcome.
 *
 * @example
 * const statement = batch.startStatement(info)
 * statement.end({ code: '23505', message: 'duplicate key value violates unique constraint "users_pkey"' })
 * result.spanId = statement.spanId
 */
export interface StatementTrace {
  readonly traceId?: string
  readonly spanId?: string
  end(error?: { code?: string; message: string }): void
}

/**
 * Counts a batch span ends with.
 *
 * @example
 * batch.end({ succeeded: 9, failed: 1, skipped: 0, rolledBack: 0, merged: 0, deduplicated: 0, durationMs: 4.2 })
 */
export interface BatchSummary extends BatchCounts {
  readonly durationMs: number
}

/**
 * A batch's span, parent of its statement spans.
 *
 * @example
 * const batch = instrumentation.startBatch({ pipeline: 'orders', strategy: 'parallel', batchId: 'b-1', size: 1, links: [] })
 * batch.startStatement({ text: 'SELECT 1' }).end()
 * batch.end({ succeeded: 1, failed: 0, skipped: 0, rolledBack: 0, merged: 0, deduplicated: 0, durationMs: 1 })
 */
export interface BatchTrace {
  readonly traceId?: string
  startStatement(info: StatementSpanInfo): StatementTrace
  end(summary: BatchSummary): void
}

/**
 * Everything the executor reports to tracing and metrics. `createOtelInstrumentation()` is the
 * implementation; pass another as `PipelineConfig.instrumentation` to replace it.
 *
 * @example
 * const pipeline = new QueryPipeline({ name: 'orders', connection: url, instrumentation: createOtelInstrumentation() })
 */
export interface PipelineInstrumentation {
  /** The span context active when a query is added (linked from the batch span). */
  captureCallerContext(): SpanContext | undefined
  startBatch(info: {
    readonly pipeline: string
    readonly strategy: Strategy
    readonly batchId: string
    readonly size: number
    readonly links: readonly SpanContext[]
  }): BatchTrace
  /** Called on every queue change, for the queue-depth gauge. */
  recordQueueDepth(pipeline: string, depth: number): void
}
