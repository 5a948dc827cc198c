import type pg from 'pg'
import type { FailureGroup } from '@sluice/contract'

interface GroupRow {
  pipeline: string
  fingerprint: string
  error_code: string
  open_count: string
  first_seen: Date
  last_seen: Date
  sample_sql: string
  sample_message: string
  sample_detail: string | null
}

/**
 * Failure groups in `sluice.failure_groups`: one row per pipeline, statement shape and error
 * code, its open count kept by the statements that write failed queries (failureGroupSql), so a
 * list reads a few rows whatever the size of the failures table.
 *
 * @example
 * const groups = await new FailureGroupStore(pool).list({ pipeline: 'orders', limit: 50 })
 */
export class FailureGroupStore {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  /** Groups with open failures, the most recently failing first (without sparklines). */
  async list(filter: {
    pipeline?: string | undefined
    from?: string | number | undefined
    limit: number
  }): Promise<Omit<FailureGroup, 'sparkline'>[]> {
    const values: unknown[] = []
    const conditions = ['open_count > 0']
    if (filter.pipeline !== undefined) {
      values.push(filter.pipeline)
      conditions.push(`pipeline = $${String(values.length)}`)
    }
    if (filter.from !== undefined) {
      values.push(new Date(filter.from))
      conditions.push(`last_seen >= $${String(values.length)}`)
    }
    values.push(filter.limit)
    const result = await this.#pool.query<GroupRow>(
      `SELECT *, open_count::text AS open_count FROM sluice.failure_groups
       WHERE ${conditions.join(' AND ')} ORDER BY last_seen DESC LIMIT $${String(values.length)}`,
      values,
    )
    return result.rows.map((row) => ({
      pipeline: row.pipeline,
      fingerprint: row.fingerprint,
      errorCode: row.error_code,
      count: Number(row.open_count),
      firstSeen: row.first_seen.toISOString(),
      lastSeen: row.last_seen.toISOString(),
      sampleSql: row.sample_sql,
      sampleMessage: row.sample_message,
      sampleDetail: row.sample_detail,
    }))
  }
}
