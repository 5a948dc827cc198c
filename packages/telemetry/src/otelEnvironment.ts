import type { BufferConfig } from '@opentelemetry/sdk-trace-base'
import {
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
} from '@opentelemetry/core'
import { DEFAULT_OTLP_ENDPOINT } from './telemetryOptions'

/*
 * The standard OTEL_* variables this package applies itself. (The OTLP exporter reads its
 * own: OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT / HEADERS / TIMEOUT / COMPRESSION; NodeSDK reads
 * OTEL_SDK_DISABLED, OTEL_LOG_LEVEL, OTEL_TRACES_SAMPLER[_ARG], OTEL_RESOURCE_ATTRIBUTES and
 * OTEL_SERVICE_NAME.)
 */

/** True when `OTEL_SDK_DISABLED=true`: the SDK sets nothing up. */
export function sdkDisabled(): boolean {
  return getBooleanFromEnv('OTEL_SDK_DISABLED')
}

/** True when `OTEL_NODE_RESOURCE_DETECTORS` chooses the resource detectors explicitly. */
export function resourceDetectorsChosen(): boolean {
  return getStringFromEnv('OTEL_NODE_RESOURCE_DETECTORS') !== undefined
}

/** True when `OTEL_TRACES_EXPORTER` contains `none`. */
export function tracesExporterDisabled(): boolean {
  return (getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? []).includes('none')
}

/** The traces URL the OTLP exporter will use, following the exporter's own precedence. */
export function otlpTracesUrl(otlpEndpoint: string | undefined): string {
  const base = (endpoint: string) => `${endpoint.replace(/\/+$/, '')}/v1/traces`
  if (otlpEndpoint !== undefined) return base(otlpEndpoint)
  const traces = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  if (traces) return traces
  return base(getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') ?? DEFAULT_OTLP_ENDPOINT)
}

/** The batch span processor's settings from `OTEL_BSP_*`. */
export function batchProcessorConfig(): BufferConfig {
  const config: { -readonly [K in keyof BufferConfig]: BufferConfig[K] } = {}
  const maxQueueSize = getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE')
  const scheduledDelayMillis = getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY')
  const exportTimeoutMillis = getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT')
  const maxExportBatchSize = getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE')
  if (maxQueueSize !== undefined) config.maxQueueSize = maxQueueSize
  if (scheduledDelayMillis !== undefined) config.scheduledDelayMillis = scheduledDelayMillis
  if (exportTimeoutMillis !== undefined) config.exportTimeoutMillis = exportTimeoutMillis
  if (maxExportBatchSize !== undefined) config.maxExportBatchSize = maxExportBatchSize
  return config
}
