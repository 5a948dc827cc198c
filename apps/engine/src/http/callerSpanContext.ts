import type { IncomingHttpHeaders } from 'node:http'
import type { SpanContext } from '@opentelemetry/api'
import { ROOT_CONTEXT, isSpanContextValid, propagation, trace } from '@opentelemetry/api'

/**
 * The calling application's span, from the request's trace headers (W3C `traceparent` with
 * the SDK's default propagators; whatever `OTEL_PROPAGATORS` chose otherwise), for the batch span
 * to link to. Undefined when there is none, it is malformed, or telemetry is off. The engine
 * runs with no context manager, so the caller is passed explicitly, never through the active
 * context.
 *
 * @example
 * // traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
 * const caller = callerSpanContext(request.headers) // { traceId: '4bf9…', spanId: '00f0…', … }
 */
export function callerSpanContext(headers: IncomingHttpHeaders): SpanContext | undefined {
  const caller = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers))
  return caller && isSpanContextValid(caller) ? caller : undefined
}
