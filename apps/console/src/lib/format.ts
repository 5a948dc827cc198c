/*
 * How numbers, shares and times read in the console. One place, so every page says "1.2k q/s"
 * the same way.
 */
import { EXACT_COUNT_LIMIT } from '@sluice/contract'

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 })
const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 })

/** Where a time is read: the runtime's own zone, or UTC (said so) where that zone is not the reader's. */
export type TimeZoneChoice = 'local' | 'UTC'

/** The time formats, read in `timeZone` (the runtime's own when left out). */
function timeFormatsIn(timeZone?: 'UTC') {
  const time = { hour: '2-digit', minute: '2-digit', hour12: false, timeZone } as const
  return {
    clock: new Intl.DateTimeFormat('en-GB', { ...time, second: '2-digit' }),
    clockMinutes: new Intl.DateTimeFormat('en-GB', time),
    dateTime: new Intl.DateTimeFormat('en-GB', {
      ...time,
      second: '2-digit',
      year: 'numeric',
      month: 'short',
      day: '2-digit',
    }),
  }
}

const timeFormats = { local: timeFormatsIn(), UTC: timeFormatsIn('UTC') }

function formatTime(
  format: keyof (typeof timeFormats)['local'],
  at: Date | number,
  zone: TimeZoneChoice,
) {
  const text = timeFormats[zone][format].format(at)
  return zone === 'UTC' ? `${text} UTC` : text
}

/**
 * A count or rate, compact above ten thousand.
 *
 * @example
 * formatCount(12_345) // '12.3K'
 */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  return Math.abs(value) >= 10_000 ? compact.format(value) : whole.format(value)
}

/**
 * How many match, saying so when the engine only estimated it: the exact count, "over 1,000"
 * when the estimate is at the exact-count limit, else "about 230K".
 *
 * @example
 * formatMatching(2, false) // '2'
 * formatMatching(227_359, true) // 'about 227.4K'
 */
export function formatMatching(total: number, isEstimate: boolean): string {
  if (!isEstimate) return formatCount(total)
  if (total <= EXACT_COUNT_LIMIT + 1) return `over ${formatCount(EXACT_COUNT_LIMIT)}`
  return `about ${formatCount(total)}`
}

/**
 * A share 0..1 as a percentage.
 *
 * @example
 * formatPercent(0.9876) // '98.8%'
 */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const percent = value * 100
  return `${percent >= 99.95 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`
}

/**
 * A duration in milliseconds, switching to seconds past one second.
 *
 * @example
 * formatDuration(0.42) // '0.42 ms'
 * formatDuration(1500) // '1.5 s'
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`
  if (ms >= 10 || ms === 0) return `${ms.toFixed(0)} ms`
  return `${ms.toFixed(2)} ms`
}

/**
 * A size in bytes, in binary units.
 *
 * @example
 * formatBytes(157_286_400) // '150 MiB'
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value >= 10 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit] ?? 'B'}`
}

/**
 * Wall-clock time of day, for chart axes and tables.
 *
 * @example
 * formatClock(Date.UTC(2026, 0, 1, 12, 30, 5)) // '12:30:05' (in the browser's time zone)
 * formatClock(Date.UTC(2026, 0, 1, 12, 30, 5), { zone: 'UTC' }) // '12:30:05 UTC'
 */
export function formatClock(
  epochMs: number,
  { seconds = true, zone = 'local' }: { seconds?: boolean; zone?: TimeZoneChoice } = {},
): string {
  return formatTime(seconds ? 'clock' : 'clockMinutes', epochMs, zone)
}

/**
 * A date and time, for tables and details.
 *
 * @example
 * formatDateTime('2026-11-26T18:00:00Z') // '26 Nov 2026, 18:00:00' (in the browser's time zone)
 * formatDateTime('2026-11-26T18:00:00Z', 'UTC') // '26 Nov 2026, 18:00:00 UTC'
 */
export function formatDateTime(
  value: string | number | null | undefined,
  zone: TimeZoneChoice = 'local',
): string {
  if (value === null || value === undefined) return '—'
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? String(value) : formatTime('dateTime', date, zone)
}
