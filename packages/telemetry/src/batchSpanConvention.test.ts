import { BATCH_SPAN_NAME, SluiceAttributes } from '@sluice/pipeline-core'
import { describe, expect, it } from 'vitest'
import { BATCH_ATTRIBUTES, BATCH_SPAN } from './batchSpanConvention'

describe('batch span convention', () => {
  it('reads the names pipeline-core writes', () => {
    expect(BATCH_SPAN.name).toBe(BATCH_SPAN_NAME)
    for (const [key, name] of Object.entries(BATCH_ATTRIBUTES)) {
      expect(SluiceAttributes[key as keyof typeof SluiceAttributes]).toBe(name)
    }
  })
})
