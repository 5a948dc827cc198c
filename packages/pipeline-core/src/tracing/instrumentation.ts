import type { SpanContext } from '@opentelemetry/api'
import type { Strategy } from '../types'

/*
 * The contract between the executor and tracing/metrics (implemented in src/tracing with
 * @opentelemetry/api only: no SDK, close to no cost when none is set up).
 */

/** Facts about a statement, for its CLIENT span (database semantic conventions). */
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

/** A statement's span; `end` records the outcome. */
export interface StatementTrace {
  readonly traceId?: string
  readonly spanId?: string
  end(error?: { code?: string; message: string }): void
}

/** Counts a batch span ends with. */
export interface BatchSummary {
  readonly succeeded: number
  readonly failed: number
  readonly skipped: number
  readonly rolledBack: number
  readonly merged: number
  readonly deduplicated: number
  readonly durationMs: number
}

/** A batch's span, parent of its statement spans. */
export interface BatchTrace {
  readonly traceId?: string
  startStatement(info: StatementSpanInfo): StatementTrace
  end(summary: BatchSummary): void
}

/** Everything the executor reports to tracing and metrics. */
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
