import {
  adaptiveBatchSizeBounds,
  maxInFlightBatchesOf,
  mergeSettings,
  pipelineSettingsPatchSchema,
  pipelineSettingsSchema,
} from '@sluice/contract'
import type {
  AdaptiveBatchSizeBounds,
  PipelineSettings,
  PipelineSettingsInput,
  PipelineSettingsPatch,
} from '@sluice/contract'
import { PipelineError } from '../errors'

/**
 * A pipeline's settings as it runs with them: the contract's settings (defaults filled in by its
 * one schema), plus the derived values worked out. Frozen; `configure()` replaces it whole.
 */
export interface ResolvedSettings extends PipelineSettings {
  readonly maxInFlightBatches: number
  /** The adaptive batch size's bounds, `undefined` when the batch size is fixed. */
  readonly adaptiveBounds: AdaptiveBatchSizeBounds | undefined
  /** The settings as stored, before deriving: what a later patch is merged into. */
  readonly stored: PipelineSettings
}

function invalid(error: {
  readonly issues: readonly { readonly message: string }[]
}): PipelineError {
  const [first] = error.issues
  return new PipelineError('INVALID_CONFIG', first?.message ?? 'invalid settings', {
    cause: error,
  })
}

function resolved(stored: PipelineSettings): ResolvedSettings {
  return Object.freeze({
    ...stored,
    maxInFlightBatches: maxInFlightBatchesOf(stored),
    adaptiveBounds: adaptiveBatchSizeBounds(stored),
    stored,
  })
}

/**
 * Validates a new pipeline's settings with the contract's schema, defaults filled in.
 * Throws PipelineError INVALID_CONFIG naming the field.
 */
export function resolveSettings(input: PipelineSettingsInput): ResolvedSettings {
  const parsed = pipelineSettingsSchema.safeParse(input)
  if (!parsed.success) throw invalid(parsed.error)
  return resolved(parsed.data)
}

const SETTING_KEYS = new Set(Object.keys(pipelineSettingsPatchSchema.shape))

/**
 * `previous` with `patch` on top (nested objects field by field; derived defaults follow the
 * settings they derive from). Throws INVALID_CONFIG naming the field, or the first key
 * `configure()` cannot change.
 */
export function patchSettings(
  previous: ResolvedSettings,
  patch: PipelineSettingsPatch,
): ResolvedSettings {
  for (const key of Object.keys(patch)) {
    if (!SETTING_KEYS.has(key)) {
      throw new PipelineError(
        'INVALID_CONFIG',
        key === 'name' || key === 'connection'
          ? `${key} cannot be changed on a running pipeline`
          : `${key} is not a pipeline setting`,
      )
    }
  }
  const change = pipelineSettingsPatchSchema.safeParse(patch)
  if (!change.success) throw invalid(change.error)
  const next = pipelineSettingsSchema.safeParse(mergeSettings(previous.stored, change.data))
  if (!next.success) throw invalid(next.error)
  return resolved(next.data)
}

/** Throws INVALID_CONFIG unless `config` has a usable name and connection. */
export function assertIdentity(config: unknown): void {
  if (typeof config !== 'object' || config === null)
    throw new PipelineError('INVALID_CONFIG', 'config must be an object')
  const { name, connection } = config as { name?: unknown; connection?: unknown }
  if (typeof name !== 'string' || name.trim() === '')
    throw new PipelineError('INVALID_CONFIG', 'name must be a non-empty string')
  if (typeof connection !== 'string' && (typeof connection !== 'object' || connection === null)) {
    throw new PipelineError(
      'INVALID_CONFIG',
      'connection must be a connection string, a pg.PoolConfig or a pg.Pool',
    )
  }
}
