import { describe, expect, it } from 'vitest'
import { TwoGenerationCache } from './twoGenerationCache'

describe('TwoGenerationCache', () => {
  it('keeps what is used and forgets what went unused for a whole generation', () => {
    const cache = new TwoGenerationCache<string, number>(2)
    cache.set('a', 1)
    cache.set('b', 2) // young is full: a and b become the old generation
    expect(cache.get('a')).toBe(1) // carried into the young generation
    cache.set('c', 3) // young full again (a, c): b, never used since, is dropped
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')).toBe(1)
    expect(cache.get('c')).toBe(3)
  })

  it('tells a cached null from a missing entry', () => {
    const cache = new TwoGenerationCache<string, number | null>(10)
    cache.set('x', null)
    expect(cache.get('x')).toBeNull()
    expect(cache.get('y')).toBeUndefined()
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new TwoGenerationCache(0)).toThrow(/positive integer/)
  })
})
