import type { IncomingMessage, ServerResponse } from 'node:http'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import type { PrometheusOptions } from './telemetryOptions'

/**
 * Answers a scrape with every metric in Prometheus' text format, whatever the path.
 *
 * @example
 * http.createServer((req, res) => {
 *   if (req.method === 'GET' && req.url === '/metrics' && telemetry.metricsHandler) telemetry.metricsHandler(req, res)
 * })
 */
export type MetricsRequestHandler = (request: IncomingMessage, response: ServerResponse) => void

/**
 * The Prometheus exporter and the request handler the engine mounts on `GET /metrics`.
 *
 * @example
 * const { handler, url } = telemetry.prometheus ?? {}
 * console.log(url ?? 'metrics served by the engine at /metrics')
 */
export interface PrometheusMetrics {
  readonly exporter: PrometheusExporter
  readonly handler: MetricsRequestHandler
  /** The exporter's own server URL, when `port` was given. */
  readonly url?: string
}

/**
 * Creates the exporter; starts its own server only when a port is configured. With
 * `engineLabel`, every series carries the resource's `engine` attribute as label `engine`.
 */
export async function createPrometheusMetrics(
  options: PrometheusOptions,
  engineLabel = false,
): Promise<PrometheusMetrics> {
  const host = options.host ?? '127.0.0.1'
  const endpoint = options.endpoint ?? '/metrics'
  const exporter = new PrometheusExporter({
    host,
    endpoint,
    ...(options.port !== undefined ? { port: options.port } : {}),
    // Started below (awaited, so a busy port is a clear error) or never: the engine serves it.
    preventServerStart: true,
    ...(engineLabel ? { withResourceConstantLabels: /^engine$/ } : {}),
  })
  const handler: MetricsRequestHandler = (request, response) => {
    exporter.getMetricsRequestHandler(request, response)
  }
  if (options.port === undefined) return { exporter, handler }
  try {
    await exporter.startServer()
  } catch (error) {
    throw new Error(
      `Could not serve Prometheus metrics on ${host}:${options.port}: ${String(error)}`,
      { cause: error },
    )
  }
  return { exporter, handler, url: `http://${host}:${options.port}${endpoint}` }
}
