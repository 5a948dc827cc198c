'use client'

import { useSyncExternalStore } from 'react'
import { formatClock, formatDateTime, type TimeZoneChoice } from '~/lib/format'

const neverChanges = () => () => undefined

/**
 * A time in the reader's own zone. The server does not know that zone, so its HTML (and the
 * browser's hydrating render, which must match it) reads the time in UTC, saying so; right after
 * hydration the browser shows its own. A component mounted later shows the local time at once.
 *
 * @example
 * <LocalTime value={failure.lastFailedAt} testId="failure-last-failed" />
 * <LocalTime value={batch.startedAt} clock />
 */
export function LocalTime({
  value,
  clock = false,
  testId,
}: {
  value: string | number | null | undefined
  /** Time of day only. */
  clock?: boolean
  testId?: string
}) {
  const zone = useSyncExternalStore<TimeZoneChoice>(
    neverChanges,
    () => 'local',
    () => 'UTC',
  )
  const date = value === null || value === undefined ? null : new Date(value)
  if (!date || Number.isNaN(date.getTime())) {
    return <span data-testid={testId}>{formatDateTime(value)}</span>
  }
  return (
    <time dateTime={date.toISOString()} data-testid={testId}>
      {clock ? formatClock(date.getTime(), { zone }) : formatDateTime(date.getTime(), zone)}
    </time>
  )
}
