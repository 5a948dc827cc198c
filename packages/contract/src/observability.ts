import { z } from 'zod'
import { breakerViewSchema } from './breaker'
import { pipelineNameSchema } from './pipelineConfig'

/**
 * One second of one pipeline. Rates and latencies are `null` for a second in which no batch
 * finished (charts draw a gap rather than a false zero).
 */
export const metricsSampleSchema = z.object({
  pipeline: z.string(),
  /** Start of the second, milliseconds since the epoch. */
  at: z.number(),
  queriesPerSecond: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  /** succeeded / finished in this second, 0..1. */
  successRate: z.number().nullable(),
  batches: z.number(),
  avgBatchSize: z.number().nullable(),
  maxBatchSize: z.number().nullable(),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  latencyP99Ms: z.number().nullable(),
  queueDepth: z.number(),
  configuredBatchSize: z.number(),
  effectiveBatchSize: z.number(),
})
export type MetricsSample = z.output<typeof metricsSampleSchema>

/** What the live subscription sends every second. */
export const metricsTickSchema = z.object({
  at: z.number(),
  samples: z.array(metricsSampleSchema),
})
export type MetricsTick = z.output<typeof metricsTickSchema>

/** Input of `metrics.live`: which pipelines (all when left out). */
export const liveMetricsInputSchema = z
  .object({ pipelines: z.array(pipelineNameSchema).max(100).optional() })
  .default({})

/** Input of `metrics.history`: up to the last hour, one sample per second. */
export const metricsHistoryInputSchema = z.object({
  pipeline: pipelineNameSchema.optional(),
  windowSeconds: z
    .number()
    .int()
    .min(1)
    .max(3_600, 'history keeps the last hour (3600 s)')
    .default(900),
})

/** Answer of `metrics.history`: one series per pipeline, oldest sample first. */
export const metricsHistorySchema = z.object({
  series: z.array(z.object({ pipeline: z.string(), samples: z.array(metricsSampleSchema) })),
})
export type MetricsHistory = z.output<typeof metricsHistorySchema>

/** A finished batch, newest first in `batches.list`. */
export const batchViewSchema = z.object({
  batchId: z.string(),
  pipeline: z.string(),
  strategy: z.string(),
  size: z.number(),
  statements: z.number(),
  durationMs: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  skipped: z.number(),
  rolledBack: z.number(),
  deduplicated: z.number(),
  merged: z.number(),
  effectiveBatchSize: z.number(),
  startedAt: z.string(),
  traceId: z.string().nullable(),
  /** `JAEGER_UI_URL/trace/<traceId>`, when the batch was traced. */
  traceUrl: z.string().nullable(),
  /**
   * The spans whose queries the batch ran (from the requests' `traceparent`), with the trace of
   * each in Jaeger: from a batch back to the requests it served.
   */
  callers: z.array(z.object({ traceId: z.string(), spanId: z.string(), traceUrl: z.string() })),
})
export type BatchView = z.output<typeof batchViewSchema>

/** Input of `batches.list`. */
export const listBatchesInputSchema = z.object({
  pipeline: pipelineNameSchema.optional(),
  limit: z.number().int().min(1).max(500).default(50),
})

/** Answer of `batches.list`. */
export const batchListSchema = z.object({
  jaegerUiUrl: z.string(),
  items: z.array(batchViewSchema),
})
export type BatchList = z.output<typeof batchListSchema>

/** A named data source. Never carries a password or a connection string. */
export const targetViewSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  host: z.string(),
  port: z.number(),
  database: z.string(),
  user: z.string(),
  /** `default` is the engine's own database. */
  isDefault: z.boolean(),
  /** Pipelines that run against it. */
  pipelines: z.array(z.string()),
  /** Its circuit breaker: open while the target cannot be reached. */
  breaker: breakerViewSchema,
})
export type TargetView = z.output<typeof targetViewSchema>

/** Answer of `targets.check`: can the engine reach it now? */
export const targetCheckSchema = z.object({
  name: z.string(),
  reachable: z.boolean(),
  latencyMs: z.number().nullable(),
  serverVersion: z.string().nullable(),
  error: z.string().nullable(),
})
export type TargetCheck = z.output<typeof targetCheckSchema>

/** Input of procedures that name one target. */
export const targetRefSchema = z.object({ name: pipelineNameSchema })

/** Answer of `health.get` (and `GET /healthz`). */
export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'shutting_down']),
  version: z.string(),
  uptimeSeconds: z.number(),
  database: z.object({
    reachable: z.boolean(),
    embedded: z.boolean(),
    latencyMs: z.number().nullable(),
  }),
  pipelines: z.object({
    total: z.number(),
    running: z.number(),
    paused: z.number(),
    halted: z.number(),
  }),
  authRequired: z.boolean(),
  jaegerUiUrl: z.string(),
})
export type Health = z.output<typeof healthSchema>
