import { describe, expect, it } from 'vitest'
import { formatCount, formatDuration, formatPercent } from './format'

describe('format', () => {
  it('writes counts in full up to ten thousand, compact beyond', () => {
    expect(formatCount(9_999)).toBe('9,999')
    expect(formatCount(12_345)).toBe('12.3K')
    expect(formatCount(null)).toBe('—')
  })

  it('writes shares as percentages without a misleading 100%', () => {
    expect(formatPercent(1)).toBe('100%')
    expect(formatPercent(0.9996)).toBe('100%')
    expect(formatPercent(0.9994)).toBe('99.9%')
    expect(formatPercent(0)).toBe('0%')
    expect(formatPercent(undefined)).toBe('—')
  })

  it('writes durations in ms, switching to seconds past one second', () => {
    expect(formatDuration(0)).toBe('0 ms')
    expect(formatDuration(0.4213)).toBe('0.42 ms')
    expect(formatDuration(42.4)).toBe('42 ms')
    expect(formatDuration(1_500)).toBe('1.5 s')
  })
})
