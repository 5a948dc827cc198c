import type { ExportResult } from '@opentelemetry/core'
import { ExportResultCode } from '@opentelemetry/core'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base'
import type { TelemetryLogger } from './telemetryOptions'

/** At most one warning per this many ms: a missing collector must not flood the logs. */
const WARNING_INTERVAL_MS = 60_000

/**
 * Wraps an exporter so that failed exports (collector down, wrong URL) are reported briefly,
 * at most once a minute, and never throw. The spans of a failed export are dropped, as the
 * SDK does: tracing never holds the service back.
 */
export class QuietSpanExporter implements SpanExporter {
  private lastWarningAt = Number.NEGATIVE_INFINITY
  private droppedSinceWarning = 0
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
        if (result.code !== ExportResultCode.SUCCESS) this.reportFailure(spans.length, result.error)
        resultCallback(result)
      })
    } catch (error) {
      this.reportFailure(spans.length, error)
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

  private reportFailure(count: number, error: unknown): void {
    this.hasFailed = true
    this.droppedSinceWarning += count
    const now = Date.now()
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return
    this.lastWarningAt = now
    const reason = error instanceof Error ? error.message : 'unknown error'
    this.logger.warn(
      `[sluice telemetry] could not export ${this.droppedSinceWarning} span(s) to ${this.target}: ${reason}. ` +
        'Spans are dropped; the next failure is reported in a minute at the earliest.',
    )
    this.droppedSinceWarning = 0
  }
}
