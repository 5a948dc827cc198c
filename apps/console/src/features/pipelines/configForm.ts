import type { PipelineConfig } from '@sluice/contract'
import { pipelineConfigSchema } from '@sluice/contract'

/**
 * A pipeline configuration as a form holds it: text for numbers (so a half-typed value is
 * kept and the engine's schema names what is wrong), booleans for switches.
 */
export interface ConfigFormValues {
  target: string
  strategy: string
  batchSize: string
  flushIntervalMs: string
  maxQueueSize: string
  maxConnections: string
  optimize: boolean
  retryMaxAttempts: string
  retryBaseDelayMs: string
  retryMaxDelayMs: string
  adaptiveEnabled: boolean
  adaptiveMin: string
  adaptiveMax: string
  adaptiveTargetLatencyMs: string
}

/** Where each form value sits in the engine's config schema: errors come back keyed by these paths. */
export const configFieldPaths: Record<keyof ConfigFormValues, string> = {
  target: 'config.target',
  strategy: 'config.strategy',
  batchSize: 'config.batchSize',
  flushIntervalMs: 'config.flushIntervalMs',
  maxQueueSize: 'config.maxQueueSize',
  maxConnections: 'config.maxConnections',
  optimize: 'config.optimize',
  retryMaxAttempts: 'config.retry.maxAttempts',
  retryBaseDelayMs: 'config.retry.baseDelayMs',
  retryMaxDelayMs: 'config.retry.maxDelayMs',
  adaptiveEnabled: 'config.adaptiveBatchSize.enabled',
  adaptiveMin: 'config.adaptiveBatchSize.min',
  adaptiveMax: 'config.adaptiveBatchSize.max',
  adaptiveTargetLatencyMs: 'config.adaptiveBatchSize.targetLatencyMs',
}

/**
 * The form's starting values for a configuration (the engine's defaults for a new pipeline).
 *
 * @example
 * const [values, setValues] = useState(() => configToForm(pipeline.config))
 */
export function configToForm(
  config: PipelineConfig = pipelineConfigSchema.parse({}),
): ConfigFormValues {
  return {
    target: config.target,
    strategy: config.strategy,
    batchSize: String(config.batchSize),
    flushIntervalMs: String(config.flushIntervalMs),
    maxQueueSize: String(config.maxQueueSize),
    maxConnections: String(config.maxConnections),
    optimize: config.optimize,
    retryMaxAttempts: String(config.retry.maxAttempts),
    retryBaseDelayMs: String(config.retry.baseDelayMs),
    retryMaxDelayMs: String(config.retry.maxDelayMs),
    adaptiveEnabled: config.adaptiveBatchSize.enabled,
    // Blank: the bound follows batchSize (see the field's hint).
    adaptiveMin:
      config.adaptiveBatchSize.min === undefined ? '' : String(config.adaptiveBatchSize.min),
    adaptiveMax:
      config.adaptiveBatchSize.max === undefined ? '' : String(config.adaptiveBatchSize.max),
    adaptiveTargetLatencyMs: String(config.adaptiveBatchSize.targetLatencyMs),
  }
}

/** A number field's text as the schema should see it: blank is "not given", anything else a number (maybe NaN, which the schema rejects by name). */
function numberOrUnset(text: string): number | undefined {
  const trimmed = text.trim()
  return trimmed === '' ? undefined : Number(trimmed)
}

/**
 * The form as a full config input for `pipelines.create` (blank fields take the defaults).
 *
 * @example
 * createPipelineInputSchema.safeParse({ name, config: formToConfigInput(values) })
 */
export function formToConfigInput(values: ConfigFormValues) {
  return {
    target: values.target.trim() || undefined,
    strategy: values.strategy,
    batchSize: numberOrUnset(values.batchSize),
    flushIntervalMs: numberOrUnset(values.flushIntervalMs),
    maxQueueSize: numberOrUnset(values.maxQueueSize),
    maxConnections: numberOrUnset(values.maxConnections),
    optimize: values.optimize,
    // Blank fields are left out: the schema gives them their defaults.
    retry: {
      maxAttempts: numberOrUnset(values.retryMaxAttempts),
      baseDelayMs: numberOrUnset(values.retryBaseDelayMs),
      maxDelayMs: numberOrUnset(values.retryMaxDelayMs),
    },
    adaptiveBatchSize: {
      enabled: values.adaptiveEnabled,
      min: numberOrUnset(values.adaptiveMin),
      max: numberOrUnset(values.adaptiveMax),
      targetLatencyMs: numberOrUnset(values.adaptiveTargetLatencyMs),
    },
  }
}

/**
 * Only what the operator changed, as a patch for `pipelines.update` (applied live). A field
 * cleared to blank is sent as NaN so the schema says it needs a number, rather than silently
 * keeping the old value.
 *
 * @example
 * formToPatch(configToForm(config), { ...configToForm(config), batchSize: '500' }) // { batchSize: 500 }
 */
export function formToPatch(
  initial: ConfigFormValues,
  values: ConfigFormValues,
): Record<string, unknown> {
  const changed = (key: keyof ConfigFormValues) => initial[key] !== values[key]
  const num = (text: string) => numberOrUnset(text) ?? Number.NaN
  const patch: Record<string, unknown> = {}
  if (changed('target')) patch.target = values.target.trim()
  if (changed('strategy')) patch.strategy = values.strategy
  if (changed('batchSize')) patch.batchSize = num(values.batchSize)
  if (changed('flushIntervalMs')) patch.flushIntervalMs = num(values.flushIntervalMs)
  if (changed('maxQueueSize')) patch.maxQueueSize = num(values.maxQueueSize)
  if (changed('maxConnections')) patch.maxConnections = num(values.maxConnections)
  if (changed('optimize')) patch.optimize = values.optimize
  const retry: Record<string, number> = {}
  if (changed('retryMaxAttempts')) retry.maxAttempts = num(values.retryMaxAttempts)
  if (changed('retryBaseDelayMs')) retry.baseDelayMs = num(values.retryBaseDelayMs)
  if (changed('retryMaxDelayMs')) retry.maxDelayMs = num(values.retryMaxDelayMs)
  if (Object.keys(retry).length > 0) patch.retry = retry
  const adaptive: Record<string, number | boolean> = {}
  if (changed('adaptiveEnabled')) adaptive.enabled = values.adaptiveEnabled
  if (changed('adaptiveMin')) adaptive.min = num(values.adaptiveMin)
  if (changed('adaptiveMax')) adaptive.max = num(values.adaptiveMax)
  if (changed('adaptiveTargetLatencyMs'))
    adaptive.targetLatencyMs = num(values.adaptiveTargetLatencyMs)
  if (Object.keys(adaptive).length > 0) patch.adaptiveBatchSize = adaptive
  return patch
}
