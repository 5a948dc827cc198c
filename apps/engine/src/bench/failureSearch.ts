import type pg from 'pg'
import type { FailureFilter } from '@sluice/contract'
import { FailedQueryStore } from '../stores/failedQueryStore'

/*
 * The failures search at scale: a store filled with synthetic failures generated in SQL, and the
 * time `failures.list` takes for each kind of search (what the console's failures page asks for:
 * a page of 25, newest first, with its bounded count).
 */

/**
 * Fills `sluice.failed_queries` with `count` failures generated in one INSERT … SELECT: 20
 * pipelines, 500 tables, four errors (23505, 23502, 40P01, 22001) in turn, one in ten resolved,
 * a callback id each, parameters holding a customer e-mail; one second apart, newest first.
 *
 * @example
 * await fillSyntheticFailures(pool, 1_000_000)
 */
export async function fillSyntheticFailures(pool: pg.Pool, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO sluice.failed_queries (pipeline, sql, params, outcome, error_message, sqlstate,
       attempts, status, callback_id, first_failed_at, last_failed_at)
     SELECT 'pipeline_' || (g % 20),
       'INSERT INTO orders_' || (g % 500) || ' (id, customer, note) VALUES ($1, $2, $3)',
       jsonb_build_array(g, 'customer-' || (g % 100000) || '@example.com', md5(g::text)),
       'failed',
       CASE g % 4
         WHEN 0 THEN 'duplicate key value violates unique constraint "orders_' || (g % 500) || '_pkey"'
         WHEN 1 THEN 'null value in column "customer" of relation "orders_' || (g % 500) || '" violates not-null constraint'
         WHEN 2 THEN 'deadlock detected'
         ELSE 'value too long for type character varying(' || (g % 64) || ')'
       END,
       (ARRAY['23505', '23502', '40P01', '22001'])[g % 4 + 1],
       1,
       CASE WHEN g % 10 = 0 THEN 'resolved' ELSE 'failed' END,
       'cb-' || g,
       now() - make_interval(secs => g), now() - make_interval(secs => g)
     FROM generate_series(1, $1::int) AS g`,
    [count],
  )
  await pool.query('ANALYZE sluice.failed_queries')
}

/** One kind of search and what it took. */
export interface SearchTiming {
  readonly kind: string
  readonly filter: Partial<FailureFilter>
  /** The first run, then the median of the rest (the page cache warm). */
  readonly firstMs: number
  readonly medianMs: number
  readonly shown: number
  readonly total: number
  readonly totalIsEstimate: boolean
}

/**
 * The five kinds of search the failures page offers, on `rows` synthetic failures (and one that
 * matches nothing): a table's name in the SQL (0.2 % of rows), an error message (25 %), a
 * SQLSTATE (25 %), one callback id (of a failing row: every tenth is resolved), one customer's e-mail in the parameters (10 rows per million).
 */
export function searchKinds(rows: number): { kind: string; filter: Partial<FailureFilter> }[] {
  return [
    { kind: 'SQL text', filter: { text: 'orders_417 (' } },
    { kind: 'error message', filter: { text: 'deadlock detected' } },
    { kind: 'SQLSTATE', filter: { sqlstate: '22001' } },
    {
      kind: 'callback id',
      filter: { callbackId: `cb-${Math.floor((rows * 0.777) / 10) * 10 + 7}` },
    },
    { kind: 'parameters', filter: { params: `customer-${Math.min(4242, rows - 1)}@` } },
    { kind: 'text matching nothing', filter: { text: 'no such words anywhere' } },
  ]
}

/**
 * Times `failures.list` (first page of 25, failing only, with its count) for each kind of search.
 *
 * @example
 * for (const timing of await timeFailureSearches(pool, 1_000_000)) console.log(timing.kind, timing.medianMs)
 */
export async function timeFailureSearches(
  pool: pg.Pool,
  rows: number,
  runs = 5,
): Promise<SearchTiming[]> {
  const store = new FailedQueryStore(pool)
  const timings: SearchTiming[] = []
  for (const { kind, filter } of searchKinds(rows)) {
    const times: number[] = []
    let last: Awaited<ReturnType<FailedQueryStore['list']>> | undefined
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now()
      last = await store.list({ status: 'failed', ...filter }, { limit: 25, offset: 0 })
      times.push(performance.now() - started)
    }
    const [first = 0, ...rest] = times
    const sorted = [...rest].sort((a, b) => a - b)
    timings.push({
      kind,
      filter,
      firstMs: round(first),
      medianMs: round(sorted[Math.floor(sorted.length / 2)] ?? first),
      shown: last?.items.length ?? 0,
      total: last?.total ?? 0,
      totalIsEstimate: last?.totalIsEstimate ?? false,
    })
  }
  return timings
}

const round = (ms: number): number => Math.round(ms * 10) / 10

/** The timings as a plain-text table. */
export function formatSearchTimings(rows: number, timings: readonly SearchTiming[]): string {
  const lines = timings.map(
    (t) =>
      `${t.kind.padEnd(22)} ${String(t.firstMs).padStart(8)} ms ${String(t.medianMs).padStart(8)} ms ${String(t.shown).padStart(5)} ${`${t.totalIsEstimate ? '~' : ''}${t.total}`.padStart(9)}`,
  )
  return [
    `failures search over ${rows.toLocaleString('en')} stored failures (page of 25, failing only, with its count)`,
    `${'search'.padEnd(22)} ${'first'.padStart(11)} ${'median'.padStart(11)} ${'shown'.padStart(5)} ${'matching'.padStart(9)}`,
    ...lines,
  ].join('\n')
}
