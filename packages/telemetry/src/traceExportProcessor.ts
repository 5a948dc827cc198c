import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { collectorRefusal } from './collectorCheck'
import { batchProcessorConfig, otlpTracesUrl, tracesExporterDisabled } from './otelEnvironment'
import { QuietSpanExporter } from './quietSpanExporter'
import type { TelemetryLogger } from './telemetryOptions'

/** The OTLP/HTTP (protobuf) trace export, or none when disabled. */
export interface TraceExport {
  readonly processor: SpanProcessor
  /** Where spans go, e.g. `http://localhost:4318/v1/traces`. */
  readonly url: string
  /** True once an export failed; the failure was already reported. */
  hasFailed(): boolean
  /** True while the collector does not answer (reported already): nothing to wait for. */
  inOutage(): boolean
}

/**
 * A batch span processor exporting to OTLP/HTTP with protobuf bodies, or `undefined` when
 * `otlpEndpoint` is `false` or `OTEL_TRACES_EXPORTER=none`.
 */
export function createTraceExport(
  otlpEndpoint: string | false | undefined,
  logger: TelemetryLogger,
): TraceExport | undefined {
  if (otlpEndpoint === false || tracesExporterDisabled()) return undefined
  const url = otlpTracesUrl(otlpEndpoint)
  // Without `url` the exporter applies OTEL_EXPORTER_OTLP_* itself (headers, timeout too).
  const exporter = new OTLPTraceExporter(otlpEndpoint === undefined ? {} : { url })
  const quiet = new QuietSpanExporter(exporter, url, logger)
  // Said once at start rather than at the first export: the operator is looking now.
  void collectorRefusal(url).then((refusal) => {
    if (refusal) quiet.collectorUnreachable(refusal)
  })
  const processor = new BatchSpanProcessor(quiet, batchProcessorConfig())
  return { processor, url, hasFailed: () => quiet.hasFailed, inOutage: () => quiet.outage }
}
