import type { Tracer, TracerProvider } from '@opentelemetry/api'
import { trace } from '@opentelemetry/api'
import { INSTRUMENTATION_SCOPE } from '@sluice/contract'

/*
 * Finds the tracer of the registered SDK, or `undefined` when none is registered, so that a
 * pipeline without an SDK skips spans, attribute objects and links entirely.
 *
 * The global provider is the API's proxy; its delegate is the SDK's provider or the API's no-op
 * one. The API may be loaded twice (ESM and CJS builds share the global, not the classes), so
 * the no-op provider is recognised by class name. Were that name ever mangled, nothing breaks:
 * the batch span then comes out non-recording and the batch is skipped just the same.
 */

interface DelegatingProvider extends TracerProvider {
  getDelegate(): TracerProvider
}

function delegateOf(provider: TracerProvider): TracerProvider {
  const proxy = provider as Partial<DelegatingProvider>
  return typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : provider
}

/** Caches the tracer per provider: resolving it costs a few property reads per call. */
export class ActiveTracer {
  private provider: TracerProvider | undefined
  private tracer: Tracer | undefined

  get(): Tracer | undefined {
    const provider = delegateOf(trace.getTracerProvider())
    if (provider !== this.provider) {
      this.provider = provider
      const noop = provider.constructor.name === 'NoopTracerProvider'
      this.tracer = noop ? undefined : provider.getTracer(INSTRUMENTATION_SCOPE)
    }
    return this.tracer
  }
}
