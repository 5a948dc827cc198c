import { context, trace, TraceFlags } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { afterEach, expect, it } from 'vitest'
import { traceHeaders } from './traceHeaders'

// The OpenTelemetry API's own global, in a process where nothing else registered anything.

afterEach(() => {
  context.disable()
})

const ids = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }

it('sends nothing where the application does not use OpenTelemetry', () => {
  expect(traceHeaders()).toEqual({})
})

it('writes traceparent from the active span when no propagator is registered', () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const active = trace.setSpan(
    context.active(),
    trace.wrapSpanContext({ ...ids, traceFlags: TraceFlags.SAMPLED }),
  )
  expect(context.with(active, traceHeaders)).toEqual({
    traceparent: `00-${ids.traceId}-${ids.spanId}-01`,
  })
  expect(traceHeaders()).toEqual({})
})
