import type pg from 'pg'
import type { InsightPoint, StatementInsightRow } from '@sluice/contract'
import { histogramPercentile, type LatencyHistogram } from './latencyHistogram'
import { OTHER_FINGERPRINT, OTHER_QUERY, type StatementTally } from './statementTally'

/** How long rows keep each resolution, and how many shapes an hour keeps per pipeline. */
export interface InsightsRetention {
  /** Minutes older than this are folded into hours. */
  readonly minutesForHours: number
  /** Hours older than this are deleted. */
  readonly hoursForDays: number
  readonly topN: number
}

interface StatRow {
  pipeline: string | null
  fingerprint: string
  query: string
  calls: string
  rows: string
  failures: string
  by_code: Record<string, number>
  total_ms: number
  histogram: LatencyHistogram
  merged: string
  deduplicated: string
  first_seen: Date
  last_seen: Date
}

/** Columns summed over the rows of one shape (the list and one shape's detail). */
const summedColumns = `max(query) AS query, sum(calls)::text AS calls, sum(rows)::text AS rows,
  sum(failures)::text AS failures, sluice.sum_counts(by_code) AS by_code, sum(total_ms) AS total_ms,
  sluice.sum_counts(histogram) AS histogram, sum(merged)::text AS merged,
  sum(deduplicated)::text AS deduplicated, min(first_seen) AS first_seen, max(last_seen) AS last_seen`

/** Rows whose bucket overlaps [since, now). */
const overlapping = `bucket + span_minutes * interval '1 minute' > $1`

/** Adding on conflict: two engines (or two flushes of one minute) add up, never overwrite. */
const addOnConflict = `ON CONFLICT (pipeline, span_minutes, bucket, fingerprint) DO UPDATE SET
  calls = s.calls + excluded.calls, rows = s.rows + excluded.rows,
  failures = s.failures + excluded.failures,
  by_code = sluice.add_counts(s.by_code, excluded.by_code),
  total_ms = s.total_ms + excluded.total_ms,
  histogram = sluice.add_counts(s.histogram, excluded.histogram),
  merged = s.merged + excluded.merged, deduplicated = s.deduplicated + excluded.deduplicated,
  first_seen = least(s.first_seen, excluded.first_seen),
  last_seen = greatest(s.last_seen, excluded.last_seen)`

const toRow = (row: StatRow, shareOf: number, sparkline: number[]): StatementInsightRow => {
  const calls = Number(row.calls)
  return {
    pipeline: row.pipeline,
    fingerprint: row.fingerprint,
    query: row.query,
    calls,
    rows: Number(row.rows),
    failures: { total: Number(row.failures), bySqlstate: row.by_code },
    meanMs: calls === 0 ? 0 : Math.round((row.total_ms / calls) * 100) / 100,
    p50Ms: histogramPercentile(row.histogram, 50),
    p95Ms: histogramPercentile(row.histogram, 95),
    p99Ms: histogramPercentile(row.histogram, 99),
    merged: Number(row.merged),
    deduplicated: Number(row.deduplicated),
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen.toISOString(),
    totalMs: Math.round(row.total_ms * 100) / 100,
    timeShare: shareOf > 0 ? Math.round((row.total_ms / shareOf) * 10_000) / 10_000 : 0,
    sparkline,
  }
}

/** Buckets of a sparkline over the window. */
const SPARK_BUCKETS = 24

/**
 * Statement insights in `sluice.statement_stats`: one row per pipeline, shape and minute (folded
 * into hours once older than `minutesForHours`), shared by every engine on the database.
 *
 * @example
 * const store = new InsightsStore(pool, { minutesForHours: 24, hoursForDays: 7, topN: 100 })
 * await store.add(collector.drain())
 * const rows = await store.list('orders', new Date(Date.now() - 3_600_000), 50)
 */
export class InsightsStore {
  readonly #pool: pg.Pool
  readonly #retention: InsightsRetention

  constructor(pool: pg.Pool, retention: InsightsRetention) {
    this.#pool = pool
    this.#retention = retention
  }

  /** Adds tallies into their minutes' rows, in one statement. */
  async add(tallies: readonly StatementTally[]): Promise<void> {
    if (tallies.length === 0) return
    const rows = tallies.map((tally) => ({
      pipeline: tally.pipeline,
      fingerprint: tally.fingerprint,
      bucket: new Date(tally.bucket).toISOString(),
      query: tally.query,
      calls: tally.calls,
      rows: tally.rows,
      failures: tally.failures,
      by_code: tally.byCode,
      total_ms: tally.totalMs,
      histogram: tally.histogram,
      merged: tally.merged,
      deduplicated: tally.deduplicated,
      first_seen: new Date(tally.firstSeen).toISOString(),
      last_seen: new Date(tally.lastSeen).toISOString(),
    }))
    await this.#pool.query(
      `INSERT INTO sluice.statement_stats AS s (pipeline, fingerprint, span_minutes, bucket, query,
         calls, rows, failures, by_code, total_ms, histogram, merged, deduplicated, first_seen, last_seen)
       SELECT pipeline, fingerprint, 1, bucket, query, calls, rows, failures, by_code, total_ms,
         histogram, merged, deduplicated, first_seen, last_seen
       FROM jsonb_to_recordset($1::jsonb) AS r(pipeline text, fingerprint text, bucket timestamptz,
         query text, calls bigint, rows bigint, failures bigint, by_code jsonb, total_ms float8,
         histogram jsonb, merged bigint, deduplicated bigint, first_seen timestamptz, last_seen timestamptz)
       ${addOnConflict}`,
      [JSON.stringify(rows)],
    )
  }

  /**
   * Folds minutes older than the retention into hours (keeping each pipeline's top N shapes of
   * an hour by time, the rest as "other") and deletes hours past theirs. The DELETE ... RETURNING
   * moves each minute once even with several engines doing this at the same time.
   */
  async compact(now = Date.now()): Promise<void> {
    const { minutesForHours, hoursForDays, topN } = this.#retention
    await this.#pool.query(
      `WITH moved AS (
         DELETE FROM sluice.statement_stats
         WHERE span_minutes = 1 AND bucket < $1::timestamptz - make_interval(hours => $2)
         RETURNING *
       ), hourly AS (
         SELECT pipeline, fingerprint, date_trunc('hour', bucket) AS bucket, ${summedColumns}
         FROM moved GROUP BY pipeline, fingerprint, date_trunc('hour', bucket)
       ), ranked AS (
         SELECT *, row_number() OVER (PARTITION BY pipeline, bucket ORDER BY total_ms DESC) AS place
         FROM hourly
       )
       INSERT INTO sluice.statement_stats AS s (pipeline, fingerprint, span_minutes, bucket, query,
         calls, rows, failures, by_code, total_ms, histogram, merged, deduplicated, first_seen, last_seen)
       SELECT pipeline, CASE WHEN place <= $3 THEN fingerprint ELSE '${OTHER_FINGERPRINT}' END, 60, bucket,
         CASE WHEN place <= $3 THEN max(query) ELSE '${OTHER_QUERY}' END,
         sum(calls::bigint), sum(rows::bigint), sum(failures::bigint), sluice.sum_counts(by_code), sum(total_ms),
         sluice.sum_counts(histogram), sum(merged::bigint), sum(deduplicated::bigint), min(first_seen), max(last_seen)
       FROM ranked
       GROUP BY pipeline, bucket, CASE WHEN place <= $3 THEN fingerprint ELSE '${OTHER_FINGERPRINT}' END, place <= $3
       ${addOnConflict}`,
      [new Date(now).toISOString(), minutesForHours, topN],
    )
    await this.#pool.query(
      `DELETE FROM sluice.statement_stats
       WHERE span_minutes = 60 AND bucket < $1::timestamptz - make_interval(days => $2)`,
      [new Date(now).toISOString(), hoursForDays],
    )
  }

  /**
   * Shapes seen since `since`, most total time first: of one pipeline, or of all of them added up
   * per shape (`pipeline` null), with a sparkline of calls over the window.
   */
  async list(
    pipeline: string | undefined,
    since: Date,
    limit: number,
    fingerprint?: string,
  ): Promise<StatementInsightRow[]> {
    const values: unknown[] = [since.toISOString()]
    const conditions = [overlapping]
    if (pipeline !== undefined) {
      values.push(pipeline)
      conditions.push(`pipeline = $${String(values.length)}`)
    }
    if (fingerprint !== undefined) {
      values.push(fingerprint)
      conditions.push(`fingerprint = $${String(values.length)}`)
    }
    const where = conditions.join(' AND ')
    const pipelineColumn = pipeline === undefined ? 'NULL::text' : 'max(pipeline)'
    values.push(limit)
    const [shapes, total, sparks] = await Promise.all([
      this.#pool.query<StatRow>(
        `SELECT ${pipelineColumn} AS pipeline, fingerprint, ${summedColumns}
         FROM sluice.statement_stats WHERE ${where}
         GROUP BY fingerprint ORDER BY sum(total_ms) DESC, fingerprint LIMIT $${String(values.length)}`,
        values,
      ),
      this.#pool.query<{ total_ms: number | null }>(
        `SELECT sum(total_ms) AS total_ms FROM sluice.statement_stats WHERE ${where}`,
        values.slice(0, -1),
      ),
      this.#pool.query<{ fingerprint: string; slot: number; calls: string }>(
        `SELECT fingerprint, least(width_bucket(extract(epoch FROM bucket), extract(epoch FROM $1::timestamptz),
           extract(epoch FROM now()), ${String(SPARK_BUCKETS)}), ${String(SPARK_BUCKETS)}) AS slot,
           sum(calls)::text AS calls
         FROM sluice.statement_stats WHERE ${where} GROUP BY 1, 2`,
        values.slice(0, -1),
      ),
    ])
    const spark = new Map<string, number[]>()
    for (const row of sparks.rows) {
      const series = spark.get(row.fingerprint) ?? new Array<number>(SPARK_BUCKETS).fill(0)
      const slot = Math.max(1, row.slot) - 1
      series[slot] = (series[slot] ?? 0) + Number(row.calls)
      spark.set(row.fingerprint, series)
    }
    const all = total.rows[0]?.total_ms ?? 0
    return shapes.rows.map((row) =>
      toRow(row, all, spark.get(row.fingerprint) ?? new Array<number>(SPARK_BUCKETS).fill(0)),
    )
  }

  /** One shape's buckets since `since`, oldest first. */
  async series(pipeline: string, fingerprint: string, since: Date): Promise<InsightPoint[]> {
    const result = await this.#pool.query<{
      bucket: Date
      calls: string
      failures: string
      total_ms: number
      histogram: LatencyHistogram
    }>(
      `SELECT bucket, sum(calls)::text AS calls, sum(failures)::text AS failures, sum(total_ms) AS total_ms,
         sluice.sum_counts(histogram) AS histogram
       FROM sluice.statement_stats WHERE ${overlapping} AND pipeline = $2 AND fingerprint = $3
       GROUP BY bucket ORDER BY bucket`,
      [since.toISOString(), pipeline, fingerprint],
    )
    return result.rows.map((row) => {
      const calls = Number(row.calls)
      return {
        at: row.bucket.getTime(),
        calls,
        failures: Number(row.failures),
        meanMs: calls === 0 ? null : Math.round((row.total_ms / calls) * 100) / 100,
        p95Ms: calls === 0 ? null : histogramPercentile(row.histogram, 95),
      }
    })
  }

  /** Failures per sparkline bucket of the window, per pipeline, shape and code. */
  async failureSparklines(since: Date): Promise<Map<string, number[]>> {
    const result = await this.#pool.query<{
      pipeline: string
      fingerprint: string
      code: string
      slot: number
      count: string
    }>(
      `SELECT pipeline, fingerprint, codes.key AS code,
         least(width_bucket(extract(epoch FROM bucket), extract(epoch FROM $1::timestamptz),
           extract(epoch FROM now()), ${String(SPARK_BUCKETS)}), ${String(SPARK_BUCKETS)}) AS slot,
         sum(codes.value::numeric)::text AS count
       FROM sluice.statement_stats, jsonb_each_text(by_code) AS codes
       WHERE ${overlapping} AND failures > 0 GROUP BY 1, 2, 3, 4`,
      [since.toISOString()],
    )
    const lines = new Map<string, number[]>()
    for (const row of result.rows) {
      const key = `${row.pipeline}\u0000${row.fingerprint}\u0000${row.code}`
      const series = lines.get(key) ?? new Array<number>(SPARK_BUCKETS).fill(0)
      const slot = Math.max(1, row.slot) - 1
      series[slot] = (series[slot] ?? 0) + Number(row.count)
      lines.set(key, series)
    }
    return lines
  }
}
