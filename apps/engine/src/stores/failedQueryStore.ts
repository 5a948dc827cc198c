import type pg from 'pg'
import { EXACT_COUNT_LIMIT, withoutUnstorableText } from '@sluice/contract'
import { EngineError } from '../errors'
import type {
  FailedQueryView,
  FailureFilter,
  FailurePageRequest,
  QueryErrorView,
} from '@sluice/contract'
import { failureFilterSql } from './failureFilterSql'
import { applyGroupDelta, updateWithGroups } from './failureGroupSql'

/** A query that did not succeed, as the registry hands it over for recording. */
export interface NewFailure {
  readonly pipeline: string
  readonly sql: string
  readonly params: readonly unknown[]
  readonly outcome: 'failed' | 'skipped' | 'rolled_back'
  readonly error: QueryErrorView
  readonly attempts: number
  readonly batchId: string | null
  readonly traceId: string | null
  readonly callbackId: string | null
  /** The statement's shape (pipeline-core's fingerprint): with the error code, its failure group. */
  readonly fingerprint?: string | null
  /**
   * Set by the FailureWriter when PostgreSQL refused this record as sent: it is stored in a
   * cleaned, marked form (see `UnstorableParams`) instead of being dropped.
   */
  readonly paramsUnstorable?: UnstorableParams
}

/**
 * Why a failure's params could not be stored as sent (PostgreSQL's error), and whether they were
 * kept anyway, as their exact JSON text (`kept`), or lost.
 */
export interface UnstorableParams {
  readonly message: string
  readonly code?: string
  readonly kept: boolean
}

interface FailureRow {
  id: string
  pipeline: string
  sql: string
  params: unknown
  outcome: 'failed' | 'skipped' | 'rolled_back'
  error_message: string
  sqlstate: string | null
  detail: string | null
  outcome_unknown: boolean
  attempts: number
  status: 'failed' | 'resolved' | 'discarded'
  batch_id: string | null
  trace_id: string | null
  callback_id: string | null
  first_failed_at: Date
  last_failed_at: Date
  resolved_at: Date | null
  params_unstorable: UnstorableParams | null
}

/* Params kept as JSON text (see UnstorableParams) read back as they were sent. */
const storedParams = (row: FailureRow): unknown[] => {
  if (Array.isArray(row.params)) return row.params as unknown[]
  if (typeof row.params !== 'string') return []
  try {
    const parsed: unknown = JSON.parse(row.params)
    return Array.isArray(parsed) ? (parsed as unknown[]) : []
  } catch {
    return []
  }
}

const toView = (row: FailureRow): FailedQueryView => ({
  id: row.id,
  pipeline: row.pipeline,
  sql: row.sql,
  params: storedParams(row),
  outcome: row.outcome,
  error: {
    message: row.error_message,
    ...(row.sqlstate === null ? {} : { code: row.sqlstate }),
    ...(row.detail === null ? {} : { detail: row.detail }),
    ...(row.outcome_unknown ? { outcomeUnknown: true } : {}),
  },
  attempts: row.attempts,
  status: row.status,
  batchId: row.batch_id,
  traceId: row.trace_id,
  callbackId: row.callback_id,
  firstFailedAt: row.first_failed_at.toISOString(),
  lastFailedAt: row.last_failed_at.toISOString(),
  resolvedAt: row.resolved_at?.toISOString() ?? null,
  ...(row.params_unstorable === null ? {} : { paramsUnstorable: row.params_unstorable }),
})

/*
 * Parameters are stored as JSON. Values JSON cannot hold as such (bigint, Buffer) are kept in a
 * readable form; the row is for an operator to inspect and retry.
 */
const toJson = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return item.toString()
    return item
  })

/*
 * A record PostgreSQL refused as sent, in a form it takes: params as their JSON text, a jsonb
 * string whose escapes (\u0000, \ud800) are plain characters, or not at all; every text cleaned
 * (what PostgreSQL cannot hold made visible as U+FFFD).
 */
const storableForm = (failure: NewFailure, marker: UnstorableParams): NewFailure => {
  const clean = (text: string | null): string | null =>
    text === null ? null : withoutUnstorableText(text)
  return {
    ...failure,
    sql: withoutUnstorableText(failure.sql),
    error: {
      ...failure.error,
      message: withoutUnstorableText(failure.error.message),
      ...(failure.error.detail === undefined
        ? {}
        : { detail: withoutUnstorableText(failure.error.detail) }),
    },
    batchId: clean(failure.batchId),
    traceId: clean(failure.traceId),
    callbackId: clean(failure.callbackId),
    paramsUnstorable: { ...marker, message: withoutUnstorableText(marker.message) },
  }
}

const paramsColumn = (failure: NewFailure): unknown => {
  if (failure.paramsUnstorable === undefined) return failure.params
  return failure.paramsUnstorable.kept ? toJson(failure.params) : []
}

const sqlstateOf = (code: string | undefined): string | null =>
  code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : null

/**
 * Failed queries in `sluice.failed_queries`: recorded before the ingest answer goes out, searched,
 * retried and discarded by operators.
 *
 * @example
 * const store = new FailedQueryStore(pool)
 * const [id] = await store.record([{ pipeline: 'orders', sql, params, outcome: 'failed', error, attempts: 1, batchId, traceId: null, callbackId: null }])
 */
export class FailedQueryStore {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  /** Records failures; returns their ids in the order given. */
  async record(failures: readonly NewFailure[]): Promise<string[]> {
    const ids = await this.reserveIds(failures.length)
    await this.insert(failures, ids)
    return ids
  }

  /** Takes `count` ids from the table's sequence (a lost answer only leaves a gap). */
  async reserveIds(count: number): Promise<string[]> {
    if (count === 0) return []
    const result = await this.#pool.query<{ id: string }>(
      `SELECT nextval(pg_get_serial_sequence('sluice.failed_queries', 'id'))::text AS id
       FROM generate_series(1, $1::int)`,
      [count],
    )
    return result.rows.map((row) => row.id)
  }

  /**
   * Inserts failures under ids from `reserveIds`, in one statement. Idempotent: run again after a
   * lost answer it adds nothing twice (an id already there is skipped), so it is safe to retry.
   */
  async insert(failures: readonly NewFailure[], ids: readonly string[]): Promise<void> {
    if (failures.length === 0) return
    if (ids.length !== failures.length) throw new Error('insert needs one reserved id per failure')
    const rows = failures.map((given, ord) => {
      const failure =
        given.paramsUnstorable === undefined ? given : storableForm(given, given.paramsUnstorable)
      return {
        id: ids[ord],
        pipeline: failure.pipeline,
        sql: failure.sql,
        params: paramsColumn(failure),
        params_unstorable: failure.paramsUnstorable ?? null,
        outcome: failure.outcome,
        error_message: failure.error.message,
        // Sluice codes (CONNECTION_LOST, ...) live in the message; the column holds SQLSTATEs only.
        sqlstate: sqlstateOf(failure.error.code),
        detail:
          failure.error.detail ??
          (sqlstateOf(failure.error.code) === null ? (failure.error.code ?? null) : null),
        outcome_unknown: failure.error.outcomeUnknown === true,
        attempts: failure.attempts,
        batch_id: failure.batchId,
        trace_id: failure.traceId,
        callback_id: failure.callbackId,
        fingerprint: failure.fingerprint ?? null,
        error_code: failure.error.code ?? null,
      }
    })
    // Only rows really inserted count in their group: run again after a lost answer, it adds
    // neither a row nor a count twice.
    await this.#pool.query(
      `WITH inserted AS (
         INSERT INTO sluice.failed_queries (id, pipeline, sql, params, outcome, error_message, sqlstate,
           detail, outcome_unknown, attempts, batch_id, trace_id, callback_id, params_unstorable,
           fingerprint, error_code)
         OVERRIDING SYSTEM VALUE
         SELECT id, pipeline, sql, coalesce(params, '[]'), outcome, error_message, sqlstate, detail,
           outcome_unknown, attempts, batch_id, trace_id, callback_id, params_unstorable,
           fingerprint, error_code
         FROM jsonb_to_recordset($1::jsonb) AS r(
           id bigint, pipeline text, sql text, params jsonb, outcome text, error_message text,
           sqlstate text, detail text, outcome_unknown boolean, attempts integer, batch_id text,
           trace_id text, callback_id text, params_unstorable jsonb, fingerprint text, error_code text)
         ON CONFLICT (id) DO NOTHING
         RETURNING pipeline, fingerprint, error_code, sql, error_message, detail, last_failed_at
       ), delta AS (
         SELECT pipeline, fingerprint, coalesce(error_code, '') AS code, 1 AS n, last_failed_at AS at,
           sql, error_message AS message, detail
         FROM inserted WHERE fingerprint IS NOT NULL
       )
       ${applyGroupDelta}`,
      [toJson(rows)],
    )
  }

  /**
   * A page of failures, newest first. After a `cursor` the page starts right below the row it
   * names, in the (last_failed_at, id) order the index keeps, so its cost does not grow with depth
   * and failures arriving meanwhile shift nothing. One row more than asked tells whether a next
   * page exists.
   */
  async list(
    filter: FailureFilter,
    page: FailurePageRequest,
  ): Promise<{
    items: FailedQueryView[]
    total: number
    totalIsEstimate: boolean
    nextCursor: string | null
  }> {
    const { where, params } = failureFilterSql(filter)
    const values: unknown[] = [...params]
    const at = (value: unknown): string => {
      values.push(value)
      return `$${values.length}`
    }
    let after = ''
    if (page.cursor !== undefined) {
      const [micros, id] = page.cursor.split('.')
      after = ` AND (last_failed_at, id) < (timestamptz 'epoch' + ${at(micros)}::bigint * interval '1 microsecond', ${at(id)}::bigint)`
    }
    const offset = page.cursor === undefined ? ` OFFSET ${at(page.offset)}` : ''
    const [rows, total] = await Promise.all([
      this.#pool.query<FailureRow & { cursor_micros: string }>(
        `SELECT *, (extract(epoch FROM last_failed_at) * 1000000)::bigint::text AS cursor_micros
         FROM sluice.failed_queries WHERE ${where}${after}
         ORDER BY last_failed_at DESC, id DESC LIMIT ${at(page.limit + 1)}${offset}`,
        values,
      ),
      this.boundedCount(filter),
    ])
    const shown = rows.rows.slice(0, page.limit)
    const last = shown[shown.length - 1]
    const nextCursor =
      rows.rows.length > page.limit && last ? `${last.cursor_micros}.${last.id}` : null
    return { items: shown.map(toView), ...total, nextCursor }
  }

  /**
   * How many match, without counting millions on every page view: exactly up to
   * EXACT_COUNT_LIMIT (it stops reading there), beyond that the planner's estimate, which
   * `totalIsEstimate` marks (the console says "about").
   */
  async boundedCount(filter: FailureFilter): Promise<{ total: number; totalIsEstimate: boolean }> {
    const { where, params } = failureFilterSql(filter)
    const bounded = await this.#pool.query<{ count: string }>(
      `SELECT count(*) AS count FROM (SELECT 1 FROM sluice.failed_queries WHERE ${where} LIMIT ${EXACT_COUNT_LIMIT + 1}) AS matching`,
      params,
    )
    const exact = Number(bounded.rows[0]?.count ?? 0)
    if (exact <= EXACT_COUNT_LIMIT) return { total: exact, totalIsEstimate: false }
    const plan = await this.#pool.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
      `EXPLAIN (FORMAT JSON) SELECT 1 FROM sluice.failed_queries WHERE ${where}`,
      params,
    )
    const estimate = Math.round(plan.rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? exact)
    // The estimate can be off either way; it is never below what was just counted.
    return { total: Math.max(estimate, exact), totalIsEstimate: true }
  }

  async count(filter: FailureFilter): Promise<number> {
    const { where, params } = failureFilterSql(filter)
    const result = await this.#pool.query<{ count: string }>(
      `SELECT count(*) AS count FROM sluice.failed_queries WHERE ${where}`,
      params,
    )
    return Number(result.rows[0]?.count ?? 0)
  }

  /** Ids matching `filter` above `afterId`, ascending, for walking a large set in chunks. */
  async idsMatching(filter: FailureFilter, afterId: string, limit: number): Promise<string[]> {
    const { where, params } = failureFilterSql(filter)
    const n = params.length
    const result = await this.#pool.query<{ id: string }>(
      // Order by the bigint column, not the text alias (text order would skip and repeat ids).
      `SELECT f.id::text AS id FROM sluice.failed_queries f WHERE ${where} AND f.id > $${n + 1}::bigint
       ORDER BY f.id LIMIT $${n + 2}`,
      [...params, afterId, limit],
    )
    return result.rows.map((row) => row.id)
  }

  async get(id: string): Promise<FailedQueryView> {
    const [found] = await this.getMany([id])
    if (!found) throw new EngineError('NOT_FOUND', `no failed query with id ${id}`)
    return found
  }

  async getMany(ids: readonly string[]): Promise<FailedQueryView[]> {
    const result = await this.#pool.query<FailureRow>(
      'SELECT * FROM sluice.failed_queries WHERE id = ANY($1::bigint[]) ORDER BY id',
      [ids],
    )
    return result.rows.map(toView)
  }

  /**
   * Claims a failed query for one retry, across every engine on this database: `claimed`, or
   * `busy` while another retry holds it (for at most `leaseSeconds`, should its engine die), or
   * `missing`. Release it with `releaseRetry`.
   */
  async claimRetry(id: string, leaseSeconds: number): Promise<'claimed' | 'busy' | 'missing'> {
    // The condition is on the row being updated, so of two engines racing, the second re-checks
    // it after the first's update and finds the claim taken.
    const claimed = await this.#pool.query(
      `UPDATE sluice.failed_queries SET retry_claimed_until = now() + make_interval(secs => $2)
       WHERE id = $1 AND (retry_claimed_until IS NULL OR retry_claimed_until < now())`,
      [id, leaseSeconds],
    )
    if (claimed.rowCount === 1) return 'claimed'
    const exists = await this.#pool.query('SELECT 1 FROM sluice.failed_queries WHERE id = $1', [id])
    return exists.rowCount === 1 ? 'busy' : 'missing'
  }

  async releaseRetry(id: string): Promise<void> {
    await this.#pool.query(
      'UPDATE sluice.failed_queries SET retry_claimed_until = NULL WHERE id = $1',
      [id],
    )
  }

  /** A retry succeeded: keep the row for history, with the parameters that ran. */
  async markResolved(id: string, params: readonly unknown[]): Promise<void> {
    await this.#pool.query(
      updateWithGroups(
        `status = 'resolved', resolved_at = now(), params = $2::jsonb, params_unstorable = NULL,
         attempts = f.attempts + 1`,
        'id = $1',
      ),
      [id, toJson(params)],
    )
  }

  /** A retry failed again: one more attempt, the latest error and time. */
  async markFailedAgain(
    id: string,
    failure: Omit<NewFailure, 'pipeline' | 'sql' | 'attempts' | 'callbackId'>,
  ): Promise<void> {
    await this.#pool.query(
      updateWithGroups(
        `status = 'failed', attempts = f.attempts + 1, last_failed_at = now(), params = $2::jsonb,
         params_unstorable = NULL, outcome = $3, error_message = $4, sqlstate = $5, detail = $6,
         outcome_unknown = $7, batch_id = $8, trace_id = $9, error_code = $10`,
        'id = $1',
      ),
      [
        id,
        toJson(failure.params),
        failure.outcome,
        failure.error.message,
        sqlstateOf(failure.error.code),
        failure.error.detail ?? null,
        failure.error.outcomeUnknown === true,
        failure.batchId,
        failure.traceId,
        failure.error.code ?? null,
      ],
    )
  }

  /** Discards the failing ones among `ids`; answers the ids it discarded. */
  async discard(ids: readonly string[]): Promise<string[]> {
    const result = await this.#pool.query<{ id: string }>(
      updateWithGroups(`status = 'discarded'`, `id = ANY($1::bigint[]) AND status = 'failed'`),
      [ids],
    )
    return result.rows.map((row) => row.id)
  }

  async discardAll(filter: FailureFilter): Promise<string[]> {
    const { where, params } = failureFilterSql({ ...filter, status: 'failed' })
    const result = await this.#pool.query<{ id: string }>(
      updateWithGroups(`status = 'discarded'`, where),
      params,
    )
    return result.rows.map((row) => row.id)
  }

  /** Failed queries still waiting, per pipeline. */
  async openCounts(): Promise<Map<string, number>> {
    const result = await this.#pool.query<{ pipeline: string; count: string }>(
      `SELECT pipeline, count(*) AS count FROM sluice.failed_queries WHERE status = 'failed' GROUP BY pipeline`,
    )
    return new Map(result.rows.map((row) => [row.pipeline, Number(row.count)]))
  }
}
