import type { Attributes, Span } from '@opentelemetry/api'
import { SpanStatusCode } from '@opentelemetry/api'
import type { StatementTrace } from './instrumentation'
import type { PipelineMetrics } from './pipelineMetrics'
import { DbAttributes } from '@sluice/contract'

const SQLSTATE = /^[0-9A-Z]{5}$/

/** Fallback `error.type` when a failure carries no code, as the semantic conventions ask. */
const OTHER_ERROR = '_OTHER'

/** The CLIENT span of one statement sent to PostgreSQL (when traced), and its duration metric. */
export class OtelStatementTrace implements StatementTrace {
  readonly traceId: string | undefined
  readonly spanId: string | undefined
  private readonly startedAt = performance.now()
  private ended = false

  constructor(
    private readonly span: Span | undefined,
    /** Attributes of `db.client.operation.duration`, or undefined when metrics are off. */
    private readonly metricAttributes: Attributes | undefined,
    private readonly metrics: PipelineMetrics,
  ) {
    if (span) {
      const context = span.spanContext()
      this.traceId = context.traceId
      this.spanId = context.spanId
    }
  }

  end(error?: { code?: string; message: string }): void {
    if (this.ended) return
    this.ended = true
    if (error) {
      const code = error.code
      const errorType = code ?? OTHER_ERROR
      // A SQLSTATE is PostgreSQL's answer; other codes (CONNECTION_LOST...) are Sluice's own.
      const isSqlState = code !== undefined && SQLSTATE.test(code)
      if (this.span) {
        this.span.setAttribute(DbAttributes.errorType, errorType)
        if (isSqlState) this.span.setAttribute(DbAttributes.responseStatusCode, code)
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
      }
      if (this.metricAttributes) {
        this.metricAttributes[DbAttributes.errorType] = errorType
        if (isSqlState) this.metricAttributes[DbAttributes.responseStatusCode] = code
      }
    }
    this.span?.end()
    if (this.metricAttributes) {
      this.metrics.recordStatement(
        (performance.now() - this.startedAt) / 1000,
        this.metricAttributes,
      )
    }
  }
}
