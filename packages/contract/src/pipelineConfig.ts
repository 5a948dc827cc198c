import { z } from 'zod'
import { breakerViewSchema } from './breaker'
import {
  checkSettingsTogether,
  pipelineSettingsPatchShape,
  pipelineSettingsShape,
} from './pipelineSettings'

/*
 * A named pipeline as the engine's API and the console see it: the pipeline settings plus the
 * target it runs against.
 */

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

/** The target a pipeline takes when none is named: the engine's own database. */
export const DEFAULT_TARGET = 'default'

/**
 * A complete pipeline configuration: its target (see `targets.list`) and its settings; fields
 * left out take `PIPELINE_DEFAULTS`. The engine consumes every result through its promise, so it
 * has no `retainResults`.
 *
 * @example
 * const config = pipelineConfigSchema.parse({ strategy: 'transactional', batchSize: 50 })
 * config.flushIntervalMs // 50 (PIPELINE_DEFAULTS.flushIntervalMs)
 */
export const pipelineConfigSchema = z
  .object(
    { target: pipelineNameSchema.default(DEFAULT_TARGET), ...pipelineSettingsShape },
    { error: 'config must be an object' },
  )
  .superRefine(checkSettingsTogether)

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
  target: pipelineNameSchema.optional(),
  ...pipelineSettingsPatchShape,
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

/**
 * The states a pipeline can be in: `running`; `paused` (refuses new queries, keeps its queue);
 * `halted` (a `sequential` batch failed: refuses until resumed); `unavailable` (it could not
 * start, e.g. its target is not configured); `closed`.
 */
export const pipelineStateSchema = z.enum(['running', 'paused', 'halted', 'unavailable', 'closed'])
export type PipelineStateView = z.output<typeof pipelineStateSchema>

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
  /** The circuit breaker of the pipeline's target (open: its queries fail at once). */
  breaker: breakerViewSchema.nullable(),
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
