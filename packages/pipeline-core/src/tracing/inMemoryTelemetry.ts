import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import type { Sampler } from '@opentelemetry/sdk-trace-base'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'

/*
 * Test support: a real SDK (tracer provider, meter provider, async-hooks context) registered
 * globally, spans kept in memory, metrics collected on demand. Not part of the public API.
 */

class OnDemandMetricReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** A registered in-memory SDK for one test file. */
export interface InMemoryTelemetry {
  readonly exporter: InMemorySpanExporter
  spans(): ReadableSpan[]
  spansNamed(name: string): ReadableSpan[]
  /** Collects every metric now. */
  collectMetrics(): Promise<MetricData[]>
  /** Data points of one metric. */
  points(name: string): Promise<DataPoint<number | Histogram>[]>
  reset(): void
  shutdown(): Promise<void>
}

/** Registers a tracer provider, meter provider and context manager globally. */
export function startInMemoryTelemetry(options: { sampler?: Sampler } = {}): InMemoryTelemetry {
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(options.sampler ? { sampler: options.sampler } : {}),
  })
  const reader = new OnDemandMetricReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  const contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
  trace.setGlobalTracerProvider(tracerProvider)
  metrics.setGlobalMeterProvider(meterProvider)

  const collectMetrics = async (): Promise<MetricData[]> => {
    const { resourceMetrics } = await reader.collect()
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
  }

  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    spansNamed: (name) => exporter.getFinishedSpans().filter((span) => span.name === name),
    collectMetrics,
    async points(name) {
      const metric = (await collectMetrics()).find((m) => m.descriptor.name === name)
      return (metric?.dataPoints ?? []) as DataPoint<number | Histogram>[]
    },
    reset: () => {
      exporter.reset()
    },
    async shutdown() {
      await tracerProvider.shutdown()
      await meterProvider.shutdown()
      trace.disable()
      metrics.disable()
      context.disable()
    },
  }
}
