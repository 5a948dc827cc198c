import { describe, expect, it } from 'vitest'
import { pipelineConfigSchema } from './pipelineConfig'
import {
  adaptiveBatchSizeBounds,
  maxInFlightBatchesOf,
  mergeSettings,
  PIPELINE_DEFAULTS,
  pipelineSettingsPatchSchema,
  pipelineSettingsSchema,
} from './pipelineSettings'

const messages = (input: unknown): string[] => {
  const parsed = pipelineSettingsSchema.safeParse(input)
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message)
}

describe('pipeline settings', () => {
  it('fills every field left out with PIPELINE_DEFAULTS, for the library and the engine alike', () => {
    const settings = pipelineSettingsSchema.parse({})
    const { target, ...config } = pipelineConfigSchema.parse({})
    expect(target).toBe('default')
    expect(settings).toEqual({ ...config, retainResults: PIPELINE_DEFAULTS.retainResults })
    expect(settings).toMatchObject({
      strategy: PIPELINE_DEFAULTS.strategy,
      batchSize: PIPELINE_DEFAULTS.batchSize,
      flushIntervalMs: PIPELINE_DEFAULTS.flushIntervalMs,
      retry: PIPELINE_DEFAULTS.retry,
      adaptiveBatchSize: PIPELINE_DEFAULTS.adaptiveBatchSize,
    })
    expect(maxInFlightBatchesOf(settings)).toBe(settings.maxConnections)
    expect(adaptiveBatchSizeBounds(settings)).toBeUndefined()
  })

  it('names the field and the rule that was broken', () => {
    expect(messages({ batchSize: 0 })).toEqual(['batchSize must be at least 1'])
    expect(messages({ batchSize: 2.5 })).toEqual(['batchSize must be a whole number'])
    expect(messages({ strategy: 'fastest' })).toEqual([
      'strategy must be one of best_effort, sequential, parallel, transactional',
    ])
    expect(messages({ maxQueueSize: 10, batchSize: 20 })).toEqual([
      'maxQueueSize must be at least batchSize (20): a full batch has to fit in the queue',
    ])
    expect(messages({ adaptiveBatchSize: { min: 10, max: 5 } })).toEqual([
      'adaptiveBatchSize.min must not exceed adaptiveBatchSize.max',
    ])
    expect(messages({ adaptiveBatchSize: 'yes' })[0]).toMatch(
      /adaptiveBatchSize must be true, false or an object/,
    )
    expect(messages({ retry: { maxAttempts: 0 } })).toEqual([
      'retry.maxAttempts must be at least 1',
    ])
  })

  it('takes the adaptive batch size as a switch or as bounds, deriving what is left out from batchSize', () => {
    expect(
      adaptiveBatchSizeBounds(pipelineSettingsSchema.parse({ adaptiveBatchSize: true })),
    ).toEqual({
      min: 25,
      max: 100,
      targetLatencyMs: 250,
    })
    const bounded = pipelineSettingsSchema.parse({
      batchSize: 400,
      adaptiveBatchSize: { max: 5_000 },
    })
    expect(adaptiveBatchSizeBounds(bounded)).toEqual({ min: 100, max: 5_000, targetLatencyMs: 250 })
    // A max below batchSize / 4 pulls the derived min down with it.
    const small = pipelineSettingsSchema.parse({ batchSize: 100, adaptiveBatchSize: { max: 5 } })
    expect(adaptiveBatchSizeBounds(small)).toEqual({ min: 5, max: 5, targetLatencyMs: 250 })
    // Without the optimizer there is no batch feedback to adapt on.
    expect(
      adaptiveBatchSizeBounds(
        pipelineSettingsSchema.parse({ optimize: false, adaptiveBatchSize: true }),
      ),
    ).toBeUndefined()
    expect(
      pipelineSettingsSchema.parse({ adaptiveBatchSize: { enabled: false, min: 3 } })
        .adaptiveBatchSize,
    ).toEqual({ enabled: false, min: 3, targetLatencyMs: 250 })
  })

  it('merges a patch field by field, keeping derived defaults derived', () => {
    const current = pipelineSettingsSchema.parse({ batchSize: 40, adaptiveBatchSize: { max: 80 } })
    const patch = pipelineSettingsPatchSchema.parse({
      batchSize: 200,
      maxQueueSize: undefined,
      retry: { maxAttempts: 7 },
      adaptiveBatchSize: { targetLatencyMs: 20 },
    })
    const next = pipelineSettingsSchema.parse(mergeSettings(current, patch))
    expect(next.batchSize).toBe(200)
    expect(next.maxQueueSize).toBe(current.maxQueueSize)
    expect(next.retry).toEqual({ ...PIPELINE_DEFAULTS.retry, maxAttempts: 7 })
    expect(next.adaptiveBatchSize).toEqual({ enabled: true, max: 80, targetLatencyMs: 20 })
    expect(adaptiveBatchSizeBounds(next)).toEqual({ min: 50, max: 80, targetLatencyMs: 20 })
    const off = pipelineSettingsSchema.parse(
      mergeSettings(next, pipelineSettingsPatchSchema.parse({ adaptiveBatchSize: false })),
    )
    expect(off.adaptiveBatchSize).toEqual({ enabled: false, max: 80, targetLatencyMs: 20 })
    const moreConnections = pipelineSettingsSchema.parse(
      mergeSettings(off, pipelineSettingsPatchSchema.parse({ maxConnections: 9 })),
    )
    expect(maxInFlightBatchesOf(moreConnections)).toBe(9)
  })
})
