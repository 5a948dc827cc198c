import {
  PIPELINE_DEFAULTS,
  pipelineConfigSchema,
  updatePipelineInputSchema,
  createPipelineInputSchema,
} from '@sluice/contract'
import { describe, expect, it } from 'vitest'
import { fieldErrors } from '~/lib/fieldErrors'
import { configFieldPaths, configToForm, formToConfigInput, formToPatch } from './configForm'

describe('configForm', () => {
  it('round-trips a configuration through the form unchanged', () => {
    const config = pipelineConfigSchema.parse({
      strategy: 'transactional',
      batchSize: 7,
      retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    })
    expect(pipelineConfigSchema.parse(formToConfigInput(configToForm(config)))).toEqual(config)
    const bounded = pipelineConfigSchema.parse({ adaptiveBatchSize: { min: 3, max: 40 } })
    expect(pipelineConfigSchema.parse(formToConfigInput(configToForm(bounded)))).toEqual(bounded)
  })

  it('sends only the fields the operator changed', () => {
    const initial = configToForm(pipelineConfigSchema.parse({}))
    expect(formToPatch(initial, initial)).toEqual({})
    expect(
      formToPatch(initial, {
        ...initial,
        batchSize: ' 500 ',
        retryMaxAttempts: '4',
        adaptiveEnabled: true,
      }),
    ).toEqual({
      batchSize: 500,
      retry: { maxAttempts: 4 },
      adaptiveBatchSize: { enabled: true },
    })
  })

  it('names a cleared or mistyped field rather than keeping the old value', () => {
    const initial = configToForm(pipelineConfigSchema.parse({}))
    const patch = formToPatch(initial, { ...initial, batchSize: '', flushIntervalMs: '1.5' })
    const result = updatePipelineInputSchema.safeParse({ name: 'orders', config: patch })
    expect(result.success).toBe(false)
    const errors = result.success ? {} : fieldErrors(result.error.issues)
    expect(errors[configFieldPaths.batchSize]).toBe('batchSize must be a number')
    expect(errors[configFieldPaths.flushIntervalMs]).toBe('flushIntervalMs must be a whole number')
  })

  it('lets blank fields of a new pipeline take the defaults', () => {
    const values = { ...configToForm(), batchSize: '', maxQueueSize: '  ' }
    const parsed = createPipelineInputSchema.parse({
      name: 'orders',
      config: formToConfigInput(values),
    })
    expect(parsed.config.batchSize).toBe(PIPELINE_DEFAULTS.batchSize)
    expect(parsed.config.maxQueueSize).toBe(PIPELINE_DEFAULTS.maxQueueSize)
  })
})
