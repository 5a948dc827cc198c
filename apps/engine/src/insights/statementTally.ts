import type { QueryResult } from '@sluice/pipeline-core'
import { latencyBucket, type LatencyHistogram } from './latencyHistogram'

/** The fingerprint under which the shapes beyond a pipeline's top N are added up. */
export const OTHER_FINGERPRINT = '0000000000000000'
export const OTHER_QUERY = '(other statements beyond the top shapes)'

/** What one bucket (a minute) holds for one pipeline's statement shape. */
export interface StatementTally {
  readonly pipeline: string
  readonly fingerprint: string
  /** Start of the minute, ms since the epoch. */
  readonly bucket: number
  query: string
  calls: number
  rows: number
  failures: number
  byCode: Record<string, number>
  totalMs: number
  histogram: LatencyHistogram
  merged: number
  deduplicated: number
  firstSeen: number
  lastSeen: number
}

export function emptyTally(
  pipeline: string,
  fingerprint: string,
  bucket: number,
  query: string,
  at: number,
): StatementTally {
  return {
    pipeline,
    fingerprint,
    bucket,
    query,
    calls: 0,
    rows: 0,
    failures: 0,
    byCode: {},
    totalMs: 0,
    histogram: {},
    merged: 0,
    deduplicated: 0,
    firstSeen: at,
    lastSeen: at,
  }
}

/** Counts one query's result in `tally`. */
export function countResult(tally: StatementTally, result: QueryResult, at: number): void {
  tally.calls++
  tally.lastSeen = at
  tally.totalMs += result.durationMs
  const bucket = latencyBucket(result.durationMs)
  tally.histogram[bucket] = (tally.histogram[bucket] ?? 0) + 1
  if (result.success) tally.rows += result.rowCount
  else {
    tally.failures++
    const code = result.error?.code ?? result.status.toUpperCase()
    tally.byCode[code] = (tally.byCode[code] ?? 0) + 1
  }
  if (result.optimizedAs === 'merged') tally.merged++
  else if (result.optimizedAs === 'deduplicated') tally.deduplicated++
}

/** Adds `from` into `into` (the shapes beyond the top N, into one). */
export function addTally(into: StatementTally, from: StatementTally): void {
  into.calls += from.calls
  into.rows += from.rows
  into.failures += from.failures
  into.totalMs += from.totalMs
  into.merged += from.merged
  into.deduplicated += from.deduplicated
  into.firstSeen = Math.min(into.firstSeen, from.firstSeen)
  into.lastSeen = Math.max(into.lastSeen, from.lastSeen)
  for (const [code, count] of Object.entries(from.byCode))
    into.byCode[code] = (into.byCode[code] ?? 0) + count
  for (const [bucket, count] of Object.entries(from.histogram))
    into.histogram[bucket] = (into.histogram[bucket] ?? 0) + count
}
