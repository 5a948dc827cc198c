import type { ExportResult } from '@opentelemetry/core'
import { ExportResultCode } from '@opentelemetry/core'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { TelemetryLogger } from './telemetryOptions'

/** What to do about a collector that does not answer: said with the one warning. */
const remedy =
  'Spans are dropped until it takes them: run Jaeger with ' +
  '`docker run --rm -p 16686:16686 -p 4318:4318 jaegertracing/all-in-one:latest`, ' +
  'point OTEL_EXPORTER_OTLP_ENDPOINT at your collector, or set OTEL_TRACES_EXPORTER=none to turn export off.'

/**
 * Wraps an exporter so that a collector that is down or misaddressed costs one warning per
 * outage, never one per failed export and never an exception: the first failure (or the check
 * at start, `collectorUnreachable`) says so with how to fix it; later failures say nothing
 * until an export succeeds again. The spans of a failed export are dropped, as the SDK does:
 * tracing never holds the service back.
 */
export class QuietSpanExporter implements SpanExporter {
  /** True while the collector is out (and that was reported): until an export succeeds. */
  outage = false
  /** Whether an export has failed (and been reported) since start. */
  hasFailed = false

  constructor(
    private readonly inner: SpanExporter,
    private readonly target: string,
    private readonly logger: TelemetryLogger,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      this.inner.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) this.answered()
        else this.collectorUnreachable(result.error)
        resultCallback(result)
      })
    } catch (error) {
      this.collectorUnreachable(error)
      resultCallback({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      })
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown()
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve()
  }

  /** The collector did not answer (an export failed, or the check at start): once per outage. */
  collectorUnreachable(error: unknown): void {
    this.hasFailed = true
    if (this.outage) return
    this.outage = true
    const reason = error instanceof Error ? error.message : 'no answer'
    this.logger.warn(
      `[sluice telemetry] cannot export traces to ${this.target} (${reason}). ${remedy}`,
    )
  }

  private answered(): void {
    if (!this.outage) return
    this.outage = false
    this.logger.warn(`[sluice telemetry] traces are exported to ${this.target} again`)
  }
}
