import { z } from 'zod'
import { metricsHistoryInputSchema, metricsSampleSchema, metricsTickSchema } from './observability'
import { pipelineNameSchema, pipelineStateSchema } from './pipelineConfig'

/*
 * Several engines on one database act as one cluster: the members, what each runs and its load,
 * and the cluster's metrics with a per-engine breakdown.
 */

/** What an engine runs and how busy it is, as of its last heartbeat. */
export const memberLoadSchema = z.object({
  /** Its pipelines and the state each is in on that engine. */
  pipelines: z.array(z.object({ name: z.string(), state: pipelineStateSchema })),
  /** Queries finished per second since its previous heartbeat. */
  queriesPerSecond: z.number(),
  /** Queries queued in all its pipelines. */
  queueDepth: z.number(),
  /** Queries in running batches. */
  inFlight: z.number(),
  /** CPU time the process used since its previous heartbeat, per cent of one core. */
  cpuPercent: z.number(),
  /** Resident memory of the process. */
  rssBytes: z.number(),
})
export type MemberLoad = z.output<typeof memberLoadSchema>

/** One engine of the cluster (`GET /v1/cluster`, tRPC `cluster.members`). */
export const clusterMemberSchema = z.object({
  /** `SLUICE_ENGINE_ID`, or generated per process. */
  id: z.string(),
  /** Where it is reached (`SLUICE_ADVERTISED_URL`, else its listen URL). */
  url: z.string(),
  version: z.string(),
  startedAt: z.string(),
  /** Its last heartbeat; a member whose heartbeat stops is dropped after `heartbeatTimeoutSeconds`. */
  heartbeatAt: z.string(),
  /** The engine that answered. */
  self: z.boolean(),
  load: memberLoadSchema,
})
export type ClusterMember = z.output<typeof clusterMemberSchema>

/** The cluster as one engine sees it: its members, oldest first. */
export const clusterViewSchema = z.object({
  /** The id of the engine that answered. */
  self: z.string(),
  heartbeatTimeoutSeconds: z.number(),
  /** How the engines share their metrics: NATS core subjects, else the engine database. */
  metricsTransport: z.enum(['nats', 'postgres']),
  members: z.array(clusterMemberSchema),
})
export type ClusterView = z.output<typeof clusterViewSchema>

/**
 * One second of the cluster: `samples` are the cluster's totals per pipeline, `engines` the
 * samples of each engine that sent that second. Totals add counts, rates, batches and queue
 * depths; average batch size is weighted by batches; latency percentiles and batch sizes are
 * the highest of any engine (percentiles of different engines cannot be added).
 */
export const clusterMetricsTickSchema = metricsTickSchema.extend({
  engines: z.array(z.object({ engineId: z.string(), samples: z.array(metricsSampleSchema) })),
})
export type ClusterMetricsTick = z.output<typeof clusterMetricsTickSchema>

/** Input of `cluster.metricsHistory`: as `metrics.history`. */
export const clusterMetricsHistoryInputSchema = metricsHistoryInputSchema

/** Input of `cluster.metricsLive`: which pipelines (all when left out). */
export const clusterMetricsLiveInputSchema = z
  .object({ pipelines: z.array(pipelineNameSchema).max(100).optional() })
  .default({})

const seriesSchema = z.array(
  z.object({ pipeline: z.string(), samples: z.array(metricsSampleSchema) }),
)

/** Answer of `cluster.metricsHistory`: the cluster's series, and each engine's. */
export const clusterMetricsHistorySchema = z.object({
  series: seriesSchema,
  engines: z.array(z.object({ engineId: z.string(), series: seriesSchema })),
})
export type ClusterMetricsHistory = z.output<typeof clusterMetricsHistorySchema>
