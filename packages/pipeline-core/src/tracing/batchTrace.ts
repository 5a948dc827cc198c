import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api'
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api'
import type { BatchSummary, BatchTrace, StatementSpanInfo, StatementTrace } from './instrumentation'
import type { PipelineMetrics } from './pipelineMetrics'
import { NOOP_STATEMENT_TRACE } from './noopTraces'
import { recordableQueryText } from './queryText'
import { OtelStatementTrace } from './statementTrace'
import { statementSpanName } from './statementSpanName'
import { DB_SYSTEM_POSTGRESQL, DbAttributes, SluiceAttributes } from '@sluice/contract'

/** A traced batch: its recording span and the tracer its statements' spans come from. */
export interface BatchSpan {
  readonly span: Span
  readonly tracer: Tracer
}

/**
 * One batch: the `sluice.batch` span (when traced) and parent of its statements' CLIENT spans,
 * and its metrics (when a MeterProvider is registered).
 */
export class OtelBatchTrace implements BatchTrace {
  readonly traceId: string | undefined
  private readonly parent: Context | undefined
  private statements = 0
  private ended = false

  constructor(
    private readonly traced: BatchSpan | undefined,
    private readonly metrics: PipelineMetrics,
    private readonly pipeline: string,
    private readonly size: number,
  ) {
    if (traced) {
      this.traceId = traced.span.spanContext().traceId
      this.parent = trace.setSpan(context.active(), traced.span)
    }
  }

  startStatement(info: StatementSpanInfo): StatementTrace {
    this.statements += 1
    const metricAttributes = this.metricAttributes(info)
    if (!this.traced)
      return metricAttributes
        ? new OtelStatementTrace(undefined, metricAttributes, this.metrics)
        : NOOP_STATEMENT_TRACE
    // Given at start so samplers see them, as the database conventions recommend.
    const attributes: Attributes = { [DbAttributes.systemName]: DB_SYSTEM_POSTGRESQL }
    const text = recordableQueryText(info.text)
    if (text !== undefined) attributes[DbAttributes.queryText] = text
    addStatementIdentity(attributes, info)
    // The conventions count a batch only from two operations up.
    if (info.batchSize !== undefined && info.batchSize >= 2)
      attributes[DbAttributes.operationBatchSize] = info.batchSize
    const span = this.traced.tracer.startSpan(
      statementSpanName(info.operation, info.collection),
      { kind: SpanKind.CLIENT, attributes },
      this.parent,
    )
    return new OtelStatementTrace(span, metricAttributes, this.metrics)
  }

  end(summary: BatchSummary): void {
    if (this.ended) return
    this.ended = true
    this.metrics.recordBatch(this.pipeline, this.size, summary)
    if (!this.traced) return
    const { span } = this.traced
    span.setAttributes({
      [SluiceAttributes.batchStatements]: this.statements,
      [SluiceAttributes.batchSucceeded]: summary.succeeded,
      [SluiceAttributes.batchFailed]: summary.failed,
      [SluiceAttributes.batchSkipped]: summary.skipped,
      [SluiceAttributes.batchRolledBack]: summary.rolledBack,
      [SluiceAttributes.batchMerged]: summary.merged,
      [SluiceAttributes.batchDeduplicated]: summary.deduplicated,
    })
    if (summary.failed > 0) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${summary.failed} of ${this.size} queries failed`,
      })
    }
    span.end()
  }

  private metricAttributes(info: StatementSpanInfo): Attributes | undefined {
    if (!this.metrics.statementsEnabled) return undefined
    const attributes: Attributes = {
      [DbAttributes.systemName]: DB_SYSTEM_POSTGRESQL,
      [SluiceAttributes.pipelineName]: this.pipeline,
    }
    addStatementIdentity(attributes, info)
    return attributes
  }
}

/** What a statement is and where it ran: attributes the statement's span and metrics share. */
function addStatementIdentity(attributes: Attributes, info: StatementSpanInfo): void {
  if (info.operation !== undefined) attributes[DbAttributes.operationName] = info.operation
  if (info.collection !== undefined) attributes[DbAttributes.collectionName] = info.collection
  if (info.namespace !== undefined) attributes[DbAttributes.namespace] = info.namespace
  if (info.serverAddress !== undefined) attributes[DbAttributes.serverAddress] = info.serverAddress
  if (info.serverPort !== undefined) attributes[DbAttributes.serverPort] = info.serverPort
}
