import { z } from 'zod'
import { strategySchema } from './strategies'

/*
 * A pipeline's settings: one schema and one set of defaults, used by pipeline-core's
 * `QueryPipeline`, the engine's API and the console's forms alike, so the same settings give the
 * same pipeline everywhere.
 */

/**
 * The default of every setting. Two are derived rather than fixed: `maxInFlightBatches` follows
 * `maxConnections`, and the adaptive batch size's bounds follow `batchSize` (see
 * `adaptiveBatchSizeBounds`).
 */
export const PIPELINE_DEFAULTS = Object.freeze({
  strategy: 'best_effort',
  batchSize: 100,
  flushIntervalMs: 50,
  maxQueueSize: 10_000,
  maxConnections: 4,
  optimize: true,
  retry: Object.freeze({ maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 5_000 }),
  adaptiveBatchSize: Object.freeze({ enabled: false, targetLatencyMs: 250 }),
  retainResults: true,
} as const)

const integer = (field: string, min: number, max: number) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(min, `${field} must be at least ${String(min)}`)
    .max(max, `${field} must be at most ${String(max)}`)

const flag = (field: string) => z.boolean({ error: `${field} must be true or false` })

/** Each setting's own check, with no default (patches use these as they are). */
const fields = {
  strategy: strategySchema,
  /** Flush when this many queries are queued. */
  batchSize: integer('batchSize', 1, 10_000),
  /** ...or when the oldest queued query has waited this long (0: at the next tick). */
  flushIntervalMs: integer('flushIntervalMs', 0, 60_000),
  /** Queries the queue holds at most (not yet running); at least `batchSize`. */
  maxQueueSize: integer('maxQueueSize', 1, 1_000_000),
  /** Connections the pipeline holds at most (and a `parallel` batch spreads over). */
  maxConnections: integer('maxConnections', 1, 64),
  /**
   * Batches that may run at once, each on its own connection (`best_effort` and `parallel`
   * only; `sequential` and `transactional` always run one at a time). Default: `maxConnections`.
   */
  maxInFlightBatches: integer('maxInFlightBatches', 1, 64),
  /** The optimizer: deduplicate reads, reorder only when safe, merge statements. */
  optimize: flag('optimize'),
  /** Keep results for `flush()`; false: results only through promises and events. */
  retainResults: flag('retainResults'),
}

const retryFields = {
  /** Total attempts including the first; 1 means no retry. */
  maxAttempts: integer('retry.maxAttempts', 1, 20),
  baseDelayMs: integer('retry.baseDelayMs', 0, 60_000),
  maxDelayMs: integer('retry.maxDelayMs', 0, 600_000),
}

const adaptiveFields = {
  enabled: flag('adaptiveBatchSize.enabled'),
  /** Smallest batch size it may choose. Default: batchSize / 4. */
  min: integer('adaptiveBatchSize.min', 1, 10_000),
  /** Largest batch size it may choose. Default: batchSize (it only shrinks unless raised). */
  max: integer('adaptiveBatchSize.max', 1, 10_000),
  /** Batch latency it keeps under. */
  targetLatencyMs: integer('adaptiveBatchSize.targetLatencyMs', 1, 60_000),
}

/**
 * Transient errors are retried with exponential backoff and jitter, up to `maxAttempts` in all.
 *
 * @example
 * retrySchema.parse({ maxAttempts: 5 }) // { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 5000 }
 */
export const retrySchema = z.object(
  {
    maxAttempts: retryFields.maxAttempts.default(PIPELINE_DEFAULTS.retry.maxAttempts),
    baseDelayMs: retryFields.baseDelayMs.default(PIPELINE_DEFAULTS.retry.baseDelayMs),
    maxDelayMs: retryFields.maxDelayMs.default(PIPELINE_DEFAULTS.retry.maxDelayMs),
  },
  { error: 'retry must be an object { maxAttempts?, baseDelayMs?, maxDelayMs? }' },
)

/** A retry policy with every field filled in. */
export type RetrySettings = z.output<typeof retrySchema>

const adaptiveObject = z.object(
  {
    enabled: adaptiveFields.enabled.optional(),
    min: adaptiveFields.min.optional(),
    max: adaptiveFields.max.optional(),
    targetLatencyMs: adaptiveFields.targetLatencyMs.optional(),
  },
  {
    error:
      'adaptiveBatchSize must be true, false or an object { enabled?, min?, max?, targetLatencyMs? }',
  },
)

const adaptiveInput = z.union([flag('adaptiveBatchSize'), adaptiveObject], {
  error:
    'adaptiveBatchSize must be true, false or an object { enabled?, min?, max?, targetLatencyMs? }',
})

/**
 * The adaptive batch size (optimizer on): moves the batch size between `min` and `max` to keep
 * each batch's latency under `targetLatencyMs`. Off by default. `true` / `false` switch it; an
 * object sets its bounds and switches it on unless it says `enabled: false`.
 *
 * @example
 * adaptiveBatchSizeSchema.parse({ max: 5_000 }) // { enabled: true, max: 5000, targetLatencyMs: 250 }
 */
export const adaptiveBatchSizeSchema = adaptiveInput.transform(
  (value): AdaptiveBatchSizeSettings => {
    const given = typeof value === 'boolean' ? { enabled: value } : value
    const settings: AdaptiveBatchSizeSettings = {
      enabled: given.enabled ?? true,
      targetLatencyMs: given.targetLatencyMs ?? PIPELINE_DEFAULTS.adaptiveBatchSize.targetLatencyMs,
    }
    if (given.min !== undefined) settings.min = given.min
    if (given.max !== undefined) settings.max = given.max
    return settings
  },
)

/** The adaptive batch size as stored: bounds left out follow `batchSize`. */
export interface AdaptiveBatchSizeSettings {
  enabled: boolean
  min?: number
  max?: number
  targetLatencyMs: number
}

/** The shape every settings schema shares (the engine's adds its `target`). */
export const pipelineSettingsShape = {
  strategy: fields.strategy.default(PIPELINE_DEFAULTS.strategy),
  batchSize: fields.batchSize.default(PIPELINE_DEFAULTS.batchSize),
  flushIntervalMs: fields.flushIntervalMs.default(PIPELINE_DEFAULTS.flushIntervalMs),
  maxQueueSize: fields.maxQueueSize.default(PIPELINE_DEFAULTS.maxQueueSize),
  maxConnections: fields.maxConnections.default(PIPELINE_DEFAULTS.maxConnections),
  maxInFlightBatches: fields.maxInFlightBatches.optional(),
  optimize: fields.optimize.default(PIPELINE_DEFAULTS.optimize),
  retry: retrySchema.default({ ...PIPELINE_DEFAULTS.retry }),
  adaptiveBatchSize: adaptiveBatchSizeSchema.default({ ...PIPELINE_DEFAULTS.adaptiveBatchSize }),
}

/** The checks between settings, on complete settings. */
export function checkSettingsTogether(
  settings: Pick<PipelineSettings, 'batchSize' | 'maxQueueSize' | 'adaptiveBatchSize'>,
  context: z.RefinementCtx,
): void {
  if (settings.maxQueueSize < settings.batchSize) {
    context.addIssue({
      code: 'custom',
      path: ['maxQueueSize'],
      message: `maxQueueSize must be at least batchSize (${String(settings.batchSize)}): a full batch has to fit in the queue`,
    })
  }
  const { min, max } = settings.adaptiveBatchSize
  if (min !== undefined && max !== undefined && min > max) {
    context.addIssue({
      code: 'custom',
      path: ['adaptiveBatchSize', 'max'],
      message: 'adaptiveBatchSize.min must not exceed adaptiveBatchSize.max',
    })
  }
  if (max !== undefined && max > settings.maxQueueSize) {
    context.addIssue({
      code: 'custom',
      path: ['adaptiveBatchSize', 'max'],
      message: `adaptiveBatchSize.max must be at most maxQueueSize (${String(settings.maxQueueSize)})`,
    })
  }
}

/**
 * A pipeline's settings; every field left out takes `PIPELINE_DEFAULTS`.
 *
 * @example
 * const settings = pipelineSettingsSchema.parse({ strategy: 'transactional', batchSize: 50 })
 * settings.flushIntervalMs // 50 (the default)
 */
export const pipelineSettingsSchema = z
  .object(
    {
      ...pipelineSettingsShape,
      retainResults: fields.retainResults.default(PIPELINE_DEFAULTS.retainResults),
    },
    { error: 'settings must be an object' },
  )
  .superRefine(checkSettingsTogether)

/** Settings with every default filled in (derived ones stay unset: see the helpers below). */
export type PipelineSettings = z.output<typeof pipelineSettingsSchema>
/** Settings as a caller writes them: every field optional. */
export type PipelineSettingsInput = z.input<typeof pipelineSettingsSchema>

/** The fields a patch may change, each checked alone; nested objects may be given in part. */
export const pipelineSettingsPatchShape = {
  strategy: fields.strategy.optional(),
  batchSize: fields.batchSize.optional(),
  flushIntervalMs: fields.flushIntervalMs.optional(),
  maxQueueSize: fields.maxQueueSize.optional(),
  maxConnections: fields.maxConnections.optional(),
  maxInFlightBatches: fields.maxInFlightBatches.optional(),
  optimize: fields.optimize.optional(),
  retry: z
    .object({
      maxAttempts: retryFields.maxAttempts.optional(),
      baseDelayMs: retryFields.baseDelayMs.optional(),
      maxDelayMs: retryFields.maxDelayMs.optional(),
    })
    .optional(),
  adaptiveBatchSize: adaptiveInput.optional(),
}

/**
 * A change to live settings: only the fields given change.
 *
 * @example
 * pipelineSettingsPatchSchema.parse({ batchSize: 500, retry: { maxAttempts: 5 } })
 */
export const pipelineSettingsPatchSchema = z.object(
  { ...pipelineSettingsPatchShape, retainResults: fields.retainResults.optional() },
  { error: 'settings must be an object' },
)

/** A change to live settings, as `configure()` and `pipelines.update` take it. */
export type PipelineSettingsPatch = z.input<typeof pipelineSettingsPatchSchema>

type Mergeable = Omit<PipelineSettings, 'retainResults'> & { retainResults?: boolean }

/**
 * `current` with `patch` on top, for the full schema to check: top-level fields replace, the
 * fields of `retry` and `adaptiveBatchSize` replace one by one (`true`/`false` only switch the
 * adaptive batch size). Derived defaults stay derived.
 *
 * @example
 * pipelineSettingsSchema.parse(mergeSettings(current, { retry: { maxAttempts: 5 } }))
 */
export function mergeSettings<T extends Mergeable>(
  current: T,
  patch: z.output<typeof pipelineSettingsPatchSchema>,
): T {
  const { retry, adaptiveBatchSize, ...top } = definedFields(patch) as Partial<
    z.output<typeof pipelineSettingsPatchSchema>
  >
  const adaptivePatch =
    adaptiveBatchSize === undefined
      ? {}
      : typeof adaptiveBatchSize === 'boolean'
        ? { enabled: adaptiveBatchSize }
        : definedFields(adaptiveBatchSize)
  return {
    ...current,
    ...top,
    retry: { ...current.retry, ...definedFields(retry ?? {}) },
    adaptiveBatchSize: { ...current.adaptiveBatchSize, ...adaptivePatch },
  }
}

/** The fields of `value` that are set (a patch's `undefined` means "leave as it is"). */
function definedFields(value: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(value) as [string, unknown][])
    if (field !== undefined) fields[key] = field
  return fields
}

/** The batches that may run at once: as set, else one per connection. */
export function maxInFlightBatchesOf(
  settings: Pick<PipelineSettings, 'maxInFlightBatches' | 'maxConnections'>,
): number {
  return settings.maxInFlightBatches ?? settings.maxConnections
}

/** Bounds the adaptive batch size works within, when it is on. */
export interface AdaptiveBatchSizeBounds {
  readonly min: number
  readonly max: number
  readonly targetLatencyMs: number
}

/**
 * The adaptive batch size's bounds with the derived defaults filled in (min batchSize/4, or max
 * when that is lower; max batchSize, so it only shrinks below what was asked for unless `max` is
 * raised), or `undefined`
 * when it is off (off too without the optimizer, whose feedback it runs on).
 *
 * @example
 * adaptiveBatchSizeBounds(pipelineSettingsSchema.parse({ adaptiveBatchSize: true })) // { min: 25, max: 100, targetLatencyMs: 250 }
 */
export function adaptiveBatchSizeBounds(
  settings: Pick<PipelineSettings, 'adaptiveBatchSize' | 'batchSize' | 'optimize'>,
): AdaptiveBatchSizeBounds | undefined {
  const adaptive = settings.adaptiveBatchSize
  if (!adaptive.enabled || !settings.optimize) return undefined
  const min =
    adaptive.min ??
    Math.max(1, Math.min(Math.floor(settings.batchSize / 4), adaptive.max ?? Infinity))
  const max = adaptive.max ?? Math.max(min, settings.batchSize)
  return Object.freeze({ min, max, targetLatencyMs: adaptive.targetLatencyMs })
}
