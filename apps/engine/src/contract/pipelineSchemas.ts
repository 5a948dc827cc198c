import { z } from 'zod'

/*
 * Pipeline configuration as the API and the console see it. Only zod and types here: the console
 * imports this file into the browser bundle.
 */

/** Strategy names, in the order a form lists them. Mirrors `Strategy` in @sluice/pipeline-core. */
export const strategyNames = ['best_effort', 'sequential', 'parallel', 'transactional'] as const

/** One of the four execution strategies (see ARCHITECTURE.md, "The contract of a query"). */
export const strategySchema = z.enum(strategyNames, {
  error: () => `strategy must be one of ${strategyNames.join(', ')}`,
})

/**
 * A pipeline's or target's name: it appears in URLs (`/v1/pipelines/:name/queries`), so letters,
 * digits, `_` and `-` only, starting with a letter or digit, at most 63 characters.
 *
 * @example
 * pipelineNameSchema.parse('orders_sync') // 'orders_sync'
 */
export const pipelineNameSchema = z
  .string({ error: 'name must be a string' })
  .min(1, 'name must not be empty')
  .max(63, 'name must be at most 63 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    'name may hold only letters, digits, "_" and "-", starting with a letter or digit',
  )

const integer = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(min, `${field} must be at least ${min}`)
    .max(max, `${field} must be at most ${max}`)

const retryFields = {
  /** Total attempts including the first; 1 means no retry. */
  maxAttempts: integer('retry.maxAttempts', 1, 20),
  baseDelayMs: integer('retry.baseDelayMs', 0, 60_000),
  maxDelayMs: integer('retry.maxDelayMs', 0, 600_000),
}

const adaptiveFields = {
  /** With the optimizer on, move the batch size between min and max to keep latency under target. */
  enabled: z.boolean({ error: 'adaptiveBatchSize.enabled must be true or false' }),
  min: integer('adaptiveBatchSize.min', 1, 10_000),
  max: integer('adaptiveBatchSize.max', 1, 10_000),
  targetLatencyMs: integer('adaptiveBatchSize.targetLatencyMs', 1, 60_000),
}

const configFields = {
  /** Name of the data source the pipeline runs against (see `targets.list`). */
  target: pipelineNameSchema,
  strategy: strategySchema,
  batchSize: integer('batchSize', 1, 10_000),
  flushIntervalMs: integer('flushIntervalMs', 1, 60_000),
  maxQueueSize: integer('maxQueueSize', 1, 1_000_000),
  maxConnections: integer('maxConnections', 1, 64),
  optimize: z.boolean({ error: 'optimize must be true or false' }),
}

/** Defaults a new pipeline gets for every field it leaves out. */
export const pipelineConfigDefaults = {
  target: 'default',
  strategy: 'best_effort',
  batchSize: 100,
  flushIntervalMs: 50,
  maxQueueSize: 10_000,
  maxConnections: 4,
  optimize: true,
  retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 2_000 },
  adaptiveBatchSize: { enabled: false, min: 10, max: 1_000, targetLatencyMs: 50 },
} as const

const retrySchema = z.object(retryFields)
const adaptiveSchema = z.object(adaptiveFields).refine((value) => value.min <= value.max, {
  error: 'adaptiveBatchSize.min must not exceed adaptiveBatchSize.max',
  path: ['max'],
})

/**
 * A complete pipeline configuration; fields left out take `pipelineConfigDefaults`.
 * The same schema validates the console's form and the engine's input.
 *
 * @example
 * const config = pipelineConfigSchema.parse({ strategy: 'transactional', batchSize: 50 })
 * config.flushIntervalMs // 50 (default)
 */
export const pipelineConfigSchema = z
  .object({
    target: configFields.target.default(pipelineConfigDefaults.target),
    strategy: configFields.strategy.default(pipelineConfigDefaults.strategy),
    batchSize: configFields.batchSize.default(pipelineConfigDefaults.batchSize),
    flushIntervalMs: configFields.flushIntervalMs.default(pipelineConfigDefaults.flushIntervalMs),
    maxQueueSize: configFields.maxQueueSize.default(pipelineConfigDefaults.maxQueueSize),
    maxConnections: configFields.maxConnections.default(pipelineConfigDefaults.maxConnections),
    optimize: configFields.optimize.default(pipelineConfigDefaults.optimize),
    retry: retrySchema.default({ ...pipelineConfigDefaults.retry }),
    adaptiveBatchSize: adaptiveSchema.default({ ...pipelineConfigDefaults.adaptiveBatchSize }),
  })
  .refine((config) => config.maxQueueSize >= config.batchSize, {
    error: 'maxQueueSize must be at least batchSize (a full batch has to fit in the queue)',
    path: ['maxQueueSize'],
  })

/** A stored, complete pipeline configuration. */
export type PipelineConfig = z.output<typeof pipelineConfigSchema>
/** What a caller may send when creating a pipeline (every field optional). */
export type PipelineConfigInput = z.input<typeof pipelineConfigSchema>

/**
 * A partial configuration for a live update: only the fields given change; nested `retry` and
 * `adaptiveBatchSize` may be given in part too.
 *
 * @example
 * pipelineConfigPatchSchema.parse({ batchSize: 500, retry: { maxAttempts: 5 } })
 */
export const pipelineConfigPatchSchema = z.object({
  target: configFields.target.optional(),
  strategy: configFields.strategy.optional(),
  batchSize: configFields.batchSize.optional(),
  flushIntervalMs: configFields.flushIntervalMs.optional(),
  maxQueueSize: configFields.maxQueueSize.optional(),
  maxConnections: configFields.maxConnections.optional(),
  optimize: configFields.optimize.optional(),
  retry: retrySchema.partial().optional(),
  adaptiveBatchSize: z.object(adaptiveFields).partial().optional(),
})

/** A partial configuration, as `pipelines.update` takes it. */
export type PipelineConfigPatch = z.output<typeof pipelineConfigPatchSchema>

/** Input of `pipelines.create`. */
export const createPipelineInputSchema = z.object({
  name: pipelineNameSchema,
  config: pipelineConfigSchema.default(pipelineConfigSchema.parse({})),
  /** Start paused: queries are refused until `pipelines.resume`. */
  paused: z.boolean().default(false),
})

/** Input of `pipelines.update`: applied live, queued queries are kept. */
export const updatePipelineInputSchema = z.object({
  name: pipelineNameSchema,
  config: pipelineConfigPatchSchema,
})

/** Input of procedures that name one pipeline (get, delete, pause, resume, flush). */
export const pipelineRefSchema = z.object({ name: pipelineNameSchema })

/** The states a pipeline can be in, as the console shows them. */
export const pipelineStateSchema = z.enum(['running', 'paused', 'halted', 'unavailable', 'closed'])
export type PipelineState = z.output<typeof pipelineStateSchema>

/** Live counters of a pipeline (since the engine started). */
export const pipelineStatusSchema = z.object({
  state: pipelineStateSchema,
  /** Why the pipeline is halted or unavailable, when it is. */
  stateReason: z.string().nullable(),
  queueSize: z.number(),
  inFlight: z.number(),
  totalQueries: z.number(),
  totalBatches: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  /** Share of finished queries that succeeded, 0..1. */
  successRate: z.number(),
  avgBatchSize: z.number(),
  avgExecutionTimeMs: z.number(),
  /** The batch size in use now (differs from the configured one with adaptive sizing). */
  effectiveBatchSize: z.number(),
  deduplicated: z.number(),
  merged: z.number(),
})
export type PipelineStatusView = z.output<typeof pipelineStatusSchema>

/** A pipeline as `pipelines.list` / `pipelines.get` return it. */
export const pipelineViewSchema = z.object({
  name: pipelineNameSchema,
  config: pipelineConfigSchema,
  paused: z.boolean(),
  status: pipelineStatusSchema,
  /** Failed queries still waiting for retry or discard. */
  openFailures: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type PipelineView = z.output<typeof pipelineViewSchema>

/** Answer of `pipelines.flush`. */
export const flushResultSchema = z.object({
  /** Queries that were queued when the flush was asked for. */
  queued: z.number(),
})
export type FlushResult = z.output<typeof flushResultSchema>
