/*
 * The OpenTelemetry API (any copy of @opentelemetry/api 1.x, bundled or not) keeps what an
 * application registered (context manager, propagator) on one global, shared by every copy.
 * Reading it there means no import of the package: nothing to install, no bundler failing to
 * resolve an absent optional dependency, no Node-only loading, and nothing at all when the
 * application does not use OpenTelemetry.
 */
const apiKey = Symbol.for('opentelemetry.js.api.1')
const spanKey = Symbol.for('OpenTelemetry Context Key SPAN')

interface Context {
  getValue(key: symbol): unknown
}
interface OpenTelemetryGlobal {
  readonly context?: { active(): Context }
  readonly propagation?: {
    inject(
      context: Context,
      carrier: Record<string, string>,
      setter: { set(carrier: Record<string, string>, key: string, value: string): void },
    ): void
  }
}
interface SpanLike {
  spanContext(): { traceId: string; spanId: string; traceFlags: number }
}

const setter = {
  set(carrier: Record<string, string>, key: string, value: string): void {
    carrier[key] = value
  },
}
const invalidTraceId = /^0+$/

/**
 * The headers that carry the application's active trace context (W3C `traceparent`, and whatever
 * else its propagator adds, e.g. `tracestate`, `baggage`), or none when no span is active or the
 * application does not use OpenTelemetry. With a context manager but no propagator registered,
 * `traceparent` is written from the active span. Never throws: tracing must not break a call.
 *
 * @example
 * await tracer.startActiveSpan('checkout', async (span) => {
 *   traceHeaders() // { traceparent: '00-<trace id>-<span id>-01' }
 *   span.end()
 * })
 */
export function traceHeaders(): Record<string, string> {
  try {
    const api = (globalThis as Record<symbol, OpenTelemetryGlobal | undefined>)[apiKey]
    const active = api?.context?.active()
    if (api === undefined || active === undefined) return {}
    const carrier: Record<string, string> = {}
    if (api.propagation !== undefined) {
      api.propagation.inject(active, carrier, setter)
      return carrier
    }
    const span = active.getValue(spanKey) as SpanLike | undefined
    const ids = span?.spanContext()
    if (ids === undefined || invalidTraceId.test(ids.traceId)) return {}
    const flags = (ids.traceFlags & 0xff).toString(16).padStart(2, '0')
    return { traceparent: `00-${ids.traceId}-${ids.spanId}-${flags}` }
  } catch {
    return {}
  }
}
