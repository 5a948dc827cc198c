/**
 * Where the Prometheus exporter is served.
 *
 * @example
 * // Its own server on http://0.0.0.0:9464/metrics, besides `metricsHandler`:
 * await startTelemetry({ serviceName: 'sluice-engine', prometheus: { port: 9464, host: '0.0.0.0' } })
 */
export interface PrometheusOptions {
  /**
   * Set to start the exporter's own HTTP server on this port. Unset: no server; the engine
   * serves `GET /metrics` itself with `Telemetry.metricsHandler`.
   */
  readonly port?: number
  /** Host of the exporter's own server. Default `127.0.0.1`. */
  readonly host?: string
  /** Path of the exporter's own server. Default `/metrics`. */
  readonly endpoint?: string
}

/**
 * Something that can print a warning; `console` by default.
 *
 * @example
 * await startTelemetry({ serviceName: 'sluice-engine', logger: { warn: (message) => log.warn(message) } })
 */
export interface TelemetryLogger {
  warn(message: string): void
}

/**
 * Options of `startTelemetry`.
 *
 * @example
 * const options: TelemetryOptions = {
 *   serviceName: 'sluice-engine',
 *   otlpEndpoint: 'http://jaeger:4318', // or leave unset and use OTEL_EXPORTER_OTLP_ENDPOINT
 *   recentBatchesPerPipeline: 200,
 * }
 * const telemetry = await startTelemetry(options)
 */
export interface TelemetryOptions {
  /** `service.name` of every span and metric, e.g. `sluice-engine`. */
  readonly serviceName: string
  readonly serviceVersion?: string
  /**
   * This process among several of one service (an engine of a cluster): `service.instance.id` of
   * every span and metric, and the `engine` label of every Prometheus series, so one scrape
   * config tells the engines apart.
   */
  readonly instanceId?: string
  /**
   * Base URL of the OTLP/HTTP receiver (Jaeger's 4318), `/v1/traces` is appended. Unset: the
   * standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`, else
   * `http://localhost:4318`. `false` (or `OTEL_TRACES_EXPORTER=none`): spans are not exported
   * (they still feed `recentBatches`).
   */
  readonly otlpEndpoint?: string | false
  /** Prometheus metrics. Default `{}`: an exporter with no server of its own. `false`: none. */
  readonly prometheus?: PrometheusOptions | false
  /** How many recent `sluice.batch` spans to keep per pipeline. Default 100. */
  readonly recentBatchesPerPipeline?: number
  /** How long `shutdown()` may wait for the last exports. Default 5000 ms. */
  readonly shutdownTimeoutMs?: number
  /**
   * Where a collector that does not answer is reported: once at start (or at the first failed
   * export), then only after it answered again. Default `console`.
   */
  readonly logger?: TelemetryLogger
  /**
   * Register OpenTelemetry's AsyncLocalStorage context manager, so that the active span follows
   * `await` and a batch links to the span that added each query. Default `true`. `false` for a
   * process whose only spans are Sluice's (the engine): they need none (a batch span is a root,
   * statement spans name their parent), and on Node 20 AsyncLocalStorage's promise hooks, on from
   * the first export, slow every promise in the process (docs/benchmarks.md measures it). Links
   * can then still be given explicitly with `addQuery`'s `callerContext`.
   */
  readonly contextManager?: boolean
}

/**
 * Default of `recentBatchesPerPipeline`.
 *
 * @example
 * telemetry.recentBatches.capacityPerPipeline === DEFAULT_RECENT_BATCHES_PER_PIPELINE // 100
 */
export const DEFAULT_RECENT_BATCHES_PER_PIPELINE = 100
/**
 * Default OTLP/HTTP base URL: Jaeger's OTLP port.
 *
 * @example
 * telemetry.traceExportUrl === `${DEFAULT_OTLP_ENDPOINT}/v1/traces` // with no endpoint configured
 */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318'
