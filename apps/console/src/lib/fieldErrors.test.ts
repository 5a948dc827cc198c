import { createPipelineInputSchema } from '@sluice/contract'
import { describe, expect, it } from 'vitest'
import { checkForm, fieldErrors, placeErrors } from './fieldErrors'

describe('fieldErrors', () => {
  it('keys the engine schema’s first message for each field by its path', () => {
    const result = createPipelineInputSchema.safeParse({
      name: '',
      config: { batchSize: 0, retry: { maxAttempts: 0, baseDelayMs: 0, maxDelayMs: 0 } },
    })
    expect(result.success).toBe(false)
    const errors = result.success ? {} : fieldErrors(result.error.issues)
    expect(errors).toMatchObject({
      name: 'name must not be empty',
      'config.batchSize': 'batchSize must be at least 1',
      'config.retry.maxAttempts': 'retry.maxAttempts must be at least 1',
    })
  })
})

describe('placeErrors', () => {
  it('gathers messages for fields the form does not show into the form’s own message', () => {
    expect(
      placeErrors({ name: 'taken', 'config.x': 'bad', '(root)': 'whole thing' }, ['name']),
    ).toEqual({
      name: 'taken',
      _form: 'config.x: bad; whole thing',
    })
  })
})

describe('checkForm', () => {
  it('hands back the parsed input, defaults filled in, when the schema accepts it', () => {
    const checked = checkForm(createPipelineInputSchema, { name: 'orders' }, ['name'])
    expect(checked.success).toBe(true)
    expect(checked.success && checked.data.name).toBe('orders')
  })

  it('places each message on its field, the rest on the form', () => {
    const checked = checkForm(createPipelineInputSchema, { name: '', config: { batchSize: 0 } }, [
      'name',
    ])
    expect(checked).toEqual({
      success: false,
      errors: {
        name: 'name must not be empty',
        _form: 'config.batchSize: batchSize must be at least 1',
      },
    })
  })
})
