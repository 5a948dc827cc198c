import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatClock,
  formatCount,
  formatDateTime,
  formatDuration,
  formatMatching,
  formatPercent,
} from './format'

describe('format', () => {
  it('writes counts in full up to ten thousand, compact beyond', () => {
    expect(formatCount(9_999)).toBe('9,999')
    expect(formatCount(12_345)).toBe('12.3K')
    expect(formatCount(null)).toBe('—')
  })

  it('says when a count of matches is only an estimate', () => {
    expect(formatMatching(2, false)).toBe('2')
    expect(formatMatching(1_001, true)).toBe('over 1,000')
    expect(formatMatching(227_359, true)).toBe('about 227.4K')
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

describe('times', () => {
  it('reads a time in UTC, saying so, where the runtime’s zone may not be the reader’s', () => {
    expect(formatDateTime('2026-11-26T18:00:05Z', 'UTC')).toBe('26 Nov 2026, 18:00:05 UTC')
    expect(formatClock(Date.UTC(2026, 0, 1, 7, 30, 5), { zone: 'UTC' })).toBe('07:30:05 UTC')
    expect(formatClock(Date.UTC(2026, 0, 1, 7, 30, 5), { zone: 'UTC', seconds: false })).toBe(
      '07:30 UTC',
    )
  })

  it('reads it in the runtime’s own zone by default, and keeps text it cannot read', () => {
    const at = Date.UTC(2026, 10, 26, 18, 0, 5)
    const local = new Date(at)
    const pad = (n: number) => String(n).padStart(2, '0')
    expect(formatClock(at)).toBe(
      `${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}`,
    )
    expect(formatDateTime('not a date')).toBe('not a date')
    expect(formatDateTime(null)).toBe('—')
  })
})

describe('formatBytes', () => {
  it('reads in binary units', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(157_286_400)).toBe('150 MiB')
    expect(formatBytes(undefined)).toBe('—')
  })
})
