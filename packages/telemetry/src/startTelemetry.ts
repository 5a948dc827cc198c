import { context, metrics, propagation, trace } from '@opentelemetry/api'
import {
  defaultResource,
  envDetector,
  hostDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources'
import { NodeSDK } from '@opentelemetry/sdk-node'
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { MetricsRequestHandler, PrometheusMetrics } from './prometheusMetrics'
import { resourceDetectorsChosen, sdkDisabled } from './otelEnvironment'
import { createPrometheusMetrics } from './prometheusMetrics'
import { RecentBatchSpanProcessor } from './recentBatchSpanProcessor'
import { RecentBatchStore } from './recentBatchStore'
import type { TelemetryLogger, TelemetryOptions } from './telemetryOptions'
import { DEFAULT_RECENT_BATCHES_PER_PIPELINE } from './telemetryOptions'
import { createTraceExport } from './traceExportProcessor'

/**
 * What `startTelemetry` set up.
 *
 * @example
 * const telemetry: Telemetry = await startTelemetry({ serviceName: 'sluice-engine' })
 * console.log(telemetry.traceExportUrl) // http://localhost:4318/v1/traces
 * await telemetry.shutdown()
 */
export interface Telemetry {
  /** The last `sluice.batch` spans of each pipeline, for the console. */
  readonly recentBatches: RecentBatchStore
  /** Mount on `GET /metrics` (Prometheus text format); absent with `prometheus: false`. */
  readonly metricsHandler?: MetricsRequestHandler
  /** The Prometheus exporter (a MetricReader); absent with `prometheus: false`. */
  readonly prometheus?: PrometheusMetrics
  /** Where spans are exported, e.g. `http://localhost:4318/v1/traces`; absent when disabled. */
  readonly traceExportUrl?: string
  /** Exports the spans ended so far now, instead of at the next scheduled export. */
  forceFlush(): Promise<void>
  /** Flushes pending exports (bounded by `shutdownTimeoutMs`), stops servers, unregisters the SDK. */
  shutdown(): Promise<void>
}

let running = false

/**
 * Starts OpenTelemetry for a Sluice process: NodeSDK with OTLP/HTTP protobuf trace export
 * (Jaeger's port 4318 by default; standard `OTEL_*` variables honoured), the recent-batch
 * store for the console, and Prometheus metrics. Call it before `pg` and `@sluice/pipeline-core`
 * are loaded: import them dynamically after it (see the package README). One at a time per
 * process: call `shutdown()` before starting again.
 *
 * @example
 * import { startTelemetry } from '@sluice/telemetry'
 *
 * const telemetry = await startTelemetry({ serviceName: 'sluice-engine' })
 * const { startEngine } = await import('./engine') // loads pg only now
 * const engine = await startEngine({ metricsHandler: telemetry.metricsHandler, recentBatches: telemetry.recentBatches })
 * process.once('SIGTERM', () => void engine.close().then(() => telemetry.shutdown()))
 */
export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  if (running)
    throw new Error('startTelemetry was already called in this process; call shutdown() first')
  const logger = options.logger ?? console
  const recentBatches = new RecentBatchStore(
    options.recentBatchesPerPipeline ?? DEFAULT_RECENT_BATCHES_PER_PIPELINE,
  )
  if (sdkDisabled()) {
    // The operator turned OpenTelemetry off: no spans, no metrics, nothing to flush.
    return { recentBatches, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() }
  }
  const prometheus =
    options.prometheus === false
      ? undefined
      : await createPrometheusMetrics(options.prometheus ?? {}, options.instanceId !== undefined)
  const traceExport = createTraceExport(options.otlpEndpoint, logger)
  const spanProcessors: SpanProcessor[] = [new RecentBatchSpanProcessor(recentBatches)]
  if (traceExport) spanProcessors.push(traceExport.processor)

  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    resource: defaultResource().merge(
      resourceFromAttributes({
        'process.pid': process.pid,
        'process.runtime.name': 'nodejs',
        'process.runtime.version': process.versions.node,
        ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
        ...(options.instanceId === undefined
          ? {}
          : { 'service.instance.id': options.instanceId, engine: options.instanceId }),
      }),
    ),
    // Not the default process detector: it exports the command line, and a connection string
    // with its password may sit there. OTEL_NODE_RESOURCE_DETECTORS still chooses, if set.
    ...(resourceDetectorsChosen() ? {} : { resourceDetectors: [envDetector, hostDetector] }),
    spanProcessors,
    // Explicit, so NodeSDK does not add its env-default OTLP metric and log exporters.
    metricReaders: prometheus ? [prometheus.exporter] : [],
    logRecordProcessors: [],
    // No instrumentation-pg: Sluice's own statement spans cover every statement (README).
    instrumentations: [],
  })
  sdk.start()
  // NodeSDK always registers its AsyncLocalStorage context manager; unregistering it leaves the
  // API's no-op one (context.active() is always the root context).
  if (options.contextManager === false) context.disable()
  running = true

  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5000
  let stopped: Promise<void> | undefined
  return {
    recentBatches,
    ...(prometheus ? { prometheus, metricsHandler: prometheus.handler } : {}),
    ...(traceExport ? { traceExportUrl: traceExport.url } : {}),
    async forceFlush() {
      // A failed export was already reported (once per outage); it is no caller's problem.
      await traceExport?.processor.forceFlush().catch(() => undefined)
    },
    shutdown() {
      // Failed exports were reported already; repeat no warning about the same collector.
      const shutdownLogger: TelemetryLogger = {
        warn(message) {
          if (!traceExport?.hasFailed()) logger.warn(message)
        },
      }
      // No collector answering now: the last spans have nowhere to go, so no long wait for them.
      const bound = traceExport?.inOutage() ? Math.min(shutdownTimeoutMs, 500) : shutdownTimeoutMs
      stopped ??= boundedShutdown(sdk, bound, shutdownLogger).finally(() => {
        trace.disable()
        metrics.disable()
        propagation.disable()
        context.disable()
        running = false
      })
      return stopped
    },
  }
}

async function boundedShutdown(
  sdk: NodeSDK,
  timeoutMs: number,
  logger: TelemetryLogger,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout')
    }, timeoutMs)
  })
  try {
    const outcome = await Promise.race([sdk.shutdown().then(() => 'done' as const), timeout])
    if (outcome === 'timeout')
      logger.warn(`[sluice telemetry] shutdown gave up on pending exports after ${timeoutMs} ms`)
  } catch (error) {
    logger.warn(`[sluice telemetry] shutdown failed: ${String(error)}`)
  } finally {
    clearTimeout(timer)
  }
}
