import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { Strategy } from '@sluice/contract'
import { PipelineError } from '../errors'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { QueryResult } from '../types'
import { isLedgerConflict, ledgerTableStatements } from './ledgerTable'

/*
 * Keyed writes carry their ledger row in their own statement: a second run of the same key
 * applies nothing, per query, also when the optimizer merged the queries into one statement.
 */

let fx: PipelineFixture
let schema: string
/** Queries the optimizer folded into merged statements, over the test. */
let merged = 0

beforeAll(async () => {
  fx = await createPipelineFixture('ledger')
  schema = fx.schema.name
  for (const sql of ledgerTableStatements(schema)) await fx.schema.pool.query(sql)
  await fx.schema.pool.query('CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)')
  // No key of its own: only the ledger stops a second run.
  await fx.schema.pool.query('CREATE TABLE events (id int NOT NULL)')
})
beforeEach(async () => {
  await fx.schema.pool.query(`TRUNCATE items, events, "${schema}".ledger`)
  merged = 0
})
afterAll(async () => fx.dispose())

const inserts = [0, 1, 2, 3].map((id) => ({
  sql: 'INSERT INTO events (id) VALUES ($1)',
  params: [id],
}))

async function run(
  strategy: Strategy,
  queries: { sql: string; params: unknown[] }[],
  key: string,
): Promise<QueryResult[]> {
  const pipeline = fx.open({ strategy, batchSize: 50, flushIntervalMs: 60_000 })
  pipeline.on('batch', (event) => (merged += event.merged))
  const accepted = await pipeline.addQueries(queries, { ledger: { schema, key } })
  await pipeline.flush()
  const results = await Promise.all(accepted.map((query) => query.result))
  await pipeline.close()
  return results
}

describe.each<Strategy>(['sequential', 'transactional', 'parallel', 'best_effort'])(
  '%s',
  (strategy) => {
    test('merged keyed inserts apply once; the same key again conflicts on every query', async () => {
      const first = await run(strategy, inserts, 'k1')
      expect(first.map((result) => result.status)).toEqual(inserts.map(() => 'succeeded'))
      expect(merged).toBe(4)
      expect(await fx.count(`SELECT count(*)::int AS count FROM "${schema}".ledger`)).toBe(4)

      const again = await run(strategy, inserts, 'k1')
      expect(again.some((result) => result.success)).toBe(false)
      const conflicts = again.filter((result) => result.error && isLedgerConflict(result.error))
      expect(conflicts.length).toBeGreaterThan(0)
      expect(await fx.count('SELECT count(*)::int AS count FROM events')).toBe(4)
    })
  },
)

test('after a partial run only the queries without a ledger row apply (merged statement bisected)', async () => {
  // As if the first two had committed before a crash.
  await fx.schema.pool.query('INSERT INTO events (id) VALUES (0), (1)')
  await fx.schema.pool.query(
    `INSERT INTO "${schema}".ledger (key, query_index) VALUES ('k2', 0), ('k2', 1)`,
  )
  const results = await run('best_effort', inserts, 'k2')
  expect(results.map((result) => result.success)).toEqual([false, false, true, true])
  expect(
    results.slice(0, 2).every((result) => result.error && isLedgerConflict(result.error)),
  ).toBe(true)
  const ids = await fx.rows<{ id: number }>('SELECT id FROM events ORDER BY id')
  expect(ids.map((row) => row.id)).toEqual([0, 1, 2, 3])
})

test('a statement with its own WITH list, an upsert merge and keyed updates carry their rows', async () => {
  await fx.schema.pool.query('INSERT INTO items (id) VALUES (1), (2)')
  const queries = [
    {
      sql: 'WITH picked AS (SELECT $1::int AS id) UPDATE items SET n = n + 1 FROM picked WHERE items.id = picked.id',
      params: [1],
    },
    { sql: 'UPDATE items SET n = n + $1 WHERE id = $2', params: [10, 2] },
    { sql: 'UPDATE items SET n = n + $1 WHERE id = $2', params: [10, 1] },
    {
      sql: 'INSERT INTO items (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET n = items.n + 1',
      params: [7],
    },
    {
      sql: 'INSERT INTO items (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET n = items.n + 1',
      params: [8],
    },
    { sql: 'SELECT n FROM items WHERE id = $1', params: [1] },
  ]
  const first = await run('best_effort', queries, 'k3')
  expect(first.map((result) => result.status)).toEqual(queries.map(() => 'succeeded'))
  expect(merged).toBe(4)
  expect(first[5]?.rows).toEqual([{ n: 11 }])
  const second = await run('best_effort', queries, 'k3')
  // The writes conflict; the read takes no ledger row and simply runs again.
  expect(second.slice(0, 5).every((result) => result.error && isLedgerConflict(result.error))).toBe(
    true,
  )
  expect(second[5]?.rows).toEqual([{ n: 11 }])
  const rows = await fx.rows<{ id: number; n: number }>('SELECT id, n FROM items ORDER BY id')
  expect(rows).toEqual([
    { id: 1, n: 11 },
    { id: 2, n: 10 },
    { id: 7, n: 0 },
    { id: 8, n: 0 },
  ])
  const indexes = await fx.rows<{ query_index: number }>(
    `SELECT query_index FROM "${schema}".ledger WHERE key = 'k3' ORDER BY query_index`,
  )
  expect(indexes.map((row) => row.query_index)).toEqual([0, 1, 2, 3, 4])
})

test('explicit ledger indexes name the queries of a partial re-run', async () => {
  const pipeline = fx.open({ strategy: 'sequential', batchSize: 10, flushIntervalMs: 1 })
  const accepted = await pipeline.addQueries(inserts.slice(2), {
    ledger: { schema, key: 'k4', indexes: [2, 3] },
  })
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(results.every((result) => result.success)).toBe(true)
  const indexes = await fx.rows<{ query_index: number }>(
    `SELECT query_index FROM "${schema}".ledger WHERE key = 'k4' ORDER BY query_index`,
  )
  expect(indexes.map((row) => row.query_index)).toEqual([2, 3])
  await pipeline.close()
})

test('a keyed write that cannot carry a ledger row is refused before anything is queued', async () => {
  const pipeline = fx.open({ strategy: 'sequential' })
  const refused = pipeline.addQueries(
    [{ sql: 'SELECT 1' }, { sql: 'CREATE TABLE never_made (id int)' }],
    { ledger: { schema, key: 'k5' } },
  )
  await expect(refused).rejects.toThrow(PipelineError)
  await expect(refused).rejects.toThrow(/queries\[1\]\.sql cannot run exactly once.*CreateStmt/)
  expect(pipeline.getStatus().totalQueries).toBe(0)
  await pipeline.close()
})
