import { PipelineError } from '../errors'
import type { AdaptiveBatchSizeConfig, PipelineSettings, RetryConfig, Strategy } from '../types'
import { STRATEGIES } from '../types'

/** PostgreSQL's limit on bind parameters in one statement. */
export const MAX_PARAMETERS = 65_535

/** Every setting of a pipeline with its default filled in; frozen, replaced whole by `configure()`. */
export interface ResolvedSettings {
  readonly batchSize: number
  readonly flushIntervalMs: number
  readonly strategy: Strategy
  readonly maxQueueSize: number
  readonly maxConnections: number
  readonly maxInFlightBatches: number
  readonly retry: Required<RetryConfig>
  readonly optimize: boolean
  /** `undefined` when the batch size is fixed. */
  readonly adaptiveBatchSize: AdaptiveBatchSizeConfig | undefined
  /** What the user asked for, so defaults follow a later batchSize change. */
  readonly adaptiveBatchSizeInput: PipelineSettings['adaptiveBatchSize']
  readonly retainResults: boolean
}

/** Defaults, documented on `PipelineConfig`. */
export const DEFAULTS = {
  batchSize: 100,
  flushIntervalMs: 100,
  strategy: 'best_effort',
  maxQueueSize: 10_000,
  maxConnections: 4,
  retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 5_000 },
  optimize: true,
  targetLatencyMs: 250,
  retainResults: true,
} as const

function invalid(field: string, problem: string): PipelineError {
  return new PipelineError('INVALID_CONFIG', `${field} ${problem}`)
}

function integerAtLeast(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(field, `must be an integer >= ${min}, got ${JSON.stringify(value)}`)
  }
  return value
}

function numberAtLeast(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalid(field, `must be a number >= ${min}, got ${JSON.stringify(value)}`)
  }
  return value
}

function booleanField(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw invalid(field, `must be true or false, got ${JSON.stringify(value)}`)
  return value
}

function resolveRetry(value: unknown, previous: Required<RetryConfig>): Required<RetryConfig> {
  if (value === undefined) return previous
  if (typeof value !== 'object' || value === null) throw invalid('retry', 'must be an object')
  const retry = value as Partial<RetryConfig>
  const resolved = {
    maxAttempts:
      retry.maxAttempts === undefined
        ? previous.maxAttempts
        : integerAtLeast('retry.maxAttempts', retry.maxAttempts, 1),
    baseDelayMs:
      retry.baseDelayMs === undefined
        ? previous.baseDelayMs
        : numberAtLeast('retry.baseDelayMs', retry.baseDelayMs, 0),
    maxDelayMs:
      retry.maxDelayMs === undefined
        ? previous.maxDelayMs
        : numberAtLeast('retry.maxDelayMs', retry.maxDelayMs, 0),
  }
  return Object.freeze(resolved)
}

function resolveAdaptive(
  value: PipelineSettings['adaptiveBatchSize'],
  optimize: boolean,
  batchSize: number,
  maxQueueSize: number,
): AdaptiveBatchSizeConfig | undefined {
  if (value === false || !optimize) return undefined
  const raw: unknown = value
  if (raw !== undefined && (typeof raw !== 'object' || raw === null)) {
    throw invalid('adaptiveBatchSize', 'must be an object ({ min, max, targetLatencyMs }) or false')
  }
  // By default the controller only ever shrinks below the configured batchSize (never grows past
  // what the user asked for); a `max` above batchSize lets it grow.
  const min =
    value?.min === undefined
      ? Math.max(1, Math.floor(batchSize / 4))
      : integerAtLeast('adaptiveBatchSize.min', value.min, 1)
  const max =
    value?.max === undefined
      ? Math.max(min, batchSize)
      : integerAtLeast('adaptiveBatchSize.max', value.max, 1)
  if (max < min)
    throw invalid('adaptiveBatchSize.max', `must be >= adaptiveBatchSize.min (${min}), got ${max}`)
  if (max > maxQueueSize)
    throw invalid('adaptiveBatchSize.max', `must be <= maxQueueSize (${maxQueueSize}), got ${max}`)
  const targetLatencyMs =
    value?.targetLatencyMs === undefined
      ? DEFAULTS.targetLatencyMs
      : numberAtLeast('adaptiveBatchSize.targetLatencyMs', value.targetLatencyMs, 1)
  return Object.freeze({ min, max, targetLatencyMs })
}

const SETTING_KEYS = new Set<string>([
  'batchSize',
  'flushIntervalMs',
  'strategy',
  'maxQueueSize',
  'maxConnections',
  'maxInFlightBatches',
  'retry',
  'optimize',
  'adaptiveBatchSize',
  'retainResults',
])

/** Throws INVALID_CONFIG naming the first key `configure()` cannot change. */
export function assertSettingKeys(partial: object): void {
  for (const key of Object.keys(partial)) {
    if (!SETTING_KEYS.has(key)) {
      throw invalid(
        key,
        key === 'name' || key === 'connection'
          ? 'cannot be changed on a running pipeline'
          : 'is not a pipeline setting',
      )
    }
  }
}

/**
 * Validates settings on top of `previous` (or the defaults) and returns a new frozen object.
 * Throws PipelineError INVALID_CONFIG naming the field.
 */
export function resolveSettings(
  input: PipelineSettings,
  previous?: ResolvedSettings,
): ResolvedSettings {
  const base = previous ?? {
    batchSize: DEFAULTS.batchSize,
    flushIntervalMs: DEFAULTS.flushIntervalMs,
    strategy: DEFAULTS.strategy,
    maxQueueSize: DEFAULTS.maxQueueSize,
    maxConnections: DEFAULTS.maxConnections,
    maxInFlightBatches: DEFAULTS.maxConnections,
    retry: DEFAULTS.retry,
    optimize: DEFAULTS.optimize,
    adaptiveBatchSize: undefined,
    adaptiveBatchSizeInput: undefined,
    retainResults: DEFAULTS.retainResults,
  }
  const batchSize =
    input.batchSize === undefined ? base.batchSize : integerAtLeast('batchSize', input.batchSize, 1)
  const flushIntervalMs =
    input.flushIntervalMs === undefined
      ? base.flushIntervalMs
      : numberAtLeast('flushIntervalMs', input.flushIntervalMs, 0)
  const strategy = input.strategy ?? base.strategy
  if (!STRATEGIES.includes(strategy)) {
    throw invalid(
      'strategy',
      `must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(strategy)}`,
    )
  }
  const maxQueueSize =
    input.maxQueueSize === undefined
      ? Math.max(base.maxQueueSize, batchSize)
      : integerAtLeast('maxQueueSize', input.maxQueueSize, 1)
  if (maxQueueSize < batchSize)
    throw invalid('maxQueueSize', `must be >= batchSize (${batchSize}), got ${maxQueueSize}`)
  const maxConnections =
    input.maxConnections === undefined
      ? base.maxConnections
      : integerAtLeast('maxConnections', input.maxConnections, 1)
  const maxInFlightBatches =
    input.maxInFlightBatches === undefined
      ? previous && previous.maxInFlightBatches !== previous.maxConnections
        ? base.maxInFlightBatches
        : maxConnections
      : integerAtLeast('maxInFlightBatches', input.maxInFlightBatches, 1)
  const retry = resolveRetry(input.retry, base.retry)
  const optimize =
    input.optimize === undefined ? base.optimize : booleanField('optimize', input.optimize)
  const retainResults =
    input.retainResults === undefined
      ? base.retainResults
      : booleanField('retainResults', input.retainResults)
  const adaptiveInput =
    input.adaptiveBatchSize !== undefined ? input.adaptiveBatchSize : base.adaptiveBatchSizeInput
  const adaptiveBatchSize = resolveAdaptive(adaptiveInput, optimize, batchSize, maxQueueSize)
  return Object.freeze({
    batchSize,
    flushIntervalMs,
    strategy,
    maxQueueSize,
    maxConnections,
    maxInFlightBatches,
    retry,
    optimize,
    adaptiveBatchSize,
    adaptiveBatchSizeInput: adaptiveInput,
    retainResults,
  })
}

/** Throws INVALID_CONFIG unless `config` has a usable name and connection. */
export function assertIdentity(config: unknown): void {
  if (typeof config !== 'object' || config === null) throw invalid('config', 'must be an object')
  const { name, connection } = config as { name?: unknown; connection?: unknown }
  if (typeof name !== 'string' || name.trim() === '')
    throw invalid('name', 'must be a non-empty string')
  if (typeof connection !== 'string' && (typeof connection !== 'object' || connection === null)) {
    throw invalid('connection', 'must be a connection string, a pg.PoolConfig or a pg.Pool')
  }
}
