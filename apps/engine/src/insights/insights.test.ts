import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import type { InsightsAnswer } from '@sluice/contract'
import type { Engine } from '../engine'
import { engineClient, postJson, startTestEngine } from '../testing/engineHarness'
import { InsightsStore } from './insightsStore'

/*
 * Statement insights against a real engine and PostgreSQL: a mixed load's counts come back
 * exactly, per statement shape; they survive a restart and add up with the next engine's; folding
 * minutes into hours keeps them.
 */

let db: TestDatabase
let engine: Engine | undefined
afterAll(async () => {
  await engine?.stop()
  await db.drop()
})
beforeAll(async () => {
  db = await createTestDatabase('insights')
  await db.pool.query('CREATE TABLE items (id int PRIMARY KEY, note text)')
})

const insert = 'INSERT INTO items (id, note) VALUES ($1, $2)'
const read = 'SELECT id, note FROM items WHERE id = $1'

/** 30 inserts (3 of them duplicates: 23505), 20 identical reads, 4 divisions by zero. */
async function sendLoad(url: string, offset: number): Promise<void> {
  const queries = [
    ...Array.from({ length: 27 }, (_, i) => ({
      sql: insert,
      params: [offset + i, `n${String(i)}`],
    })),
    ...Array.from({ length: 3 }, () => ({ sql: insert, params: [offset, 'again'] })),
  ]
  const first = await postJson(`${url}/v1/pipelines/load/queries`, { queries })
  expect(first.status).toBe(200)
  const second = await postJson(`${url}/v1/pipelines/load/queries`, {
    queries: [
      ...Array.from({ length: 20 }, () => ({ sql: read, params: [offset] })),
      ...Array.from({ length: 4 }, (_, i) => ({ sql: `SELECT ${String(i + 1)} / 0 AS boom` })),
    ],
  })
  expect(second.status).toBe(200)
}

async function insights(url: string): Promise<InsightsAnswer> {
  const response = await fetch(`${url}/v1/insights?pipeline=load`)
  expect(response.status).toBe(200)
  return (await response.json()) as InsightsAnswer
}

const byQuery = (answer: InsightsAnswer) =>
  new Map(answer.statements.map((statement) => [statement.query, statement]))

describe('statement insights', () => {
  it('count a mixed load exactly, per shape, across a restart and a second engine', async () => {
    engine = await startTestEngine(db.url)
    const client = engineClient(engine.url)
    await client.pipelines.create.mutate({
      name: 'load',
      config: { strategy: 'best_effort', batchSize: 100, flushIntervalMs: 20 },
    })
    await sendLoad(engine.url, 0)
    const status = (await client.pipelines.get.query({ name: 'load' })).status

    const first = byQuery(await insights(engine.url))
    expect([...first.keys()].sort()).toEqual([insert, read, 'SELECT $1 / $2 AS boom'].sort())
    expect(first.get(insert)).toMatchObject({
      calls: 30,
      rows: 27,
      failures: { total: 3, bySqlstate: { '23505': 3 } },
    })
    expect(first.get(read)).toMatchObject({ calls: 20, rows: 20, failures: { total: 0 } })
    expect(first.get('SELECT $1 / $2 AS boom')).toMatchObject({
      calls: 4,
      rows: 0,
      failures: { total: 4, bySqlstate: { '22012': 4 } },
    })
    // What the optimizer did, per shape, adds up to what the pipeline counted.
    const shapes = [...first.values()]
    expect(shapes.reduce((sum, shape) => sum + shape.merged, 0)).toBe(status.merged)
    expect(shapes.reduce((sum, shape) => sum + shape.deduplicated, 0)).toBe(status.deduplicated)
    expect(first.get(read)?.deduplicated).toBeGreaterThan(0)
    const reads = first.get(read)
    expect(reads?.p50Ms).toBeGreaterThan(0)
    expect(reads?.p99Ms).toBeGreaterThanOrEqual(reads?.p50Ms ?? 0)
    expect(Date.parse(reads?.lastSeen ?? '')).toBeGreaterThanOrEqual(
      Date.parse(reads?.firstSeen ?? ''),
    )

    const list = await client.insights.list.query({ pipeline: 'load' })
    expect(list.statements.reduce((sum, row) => sum + row.timeShare, 0)).toBeCloseTo(1, 2)
    const readRow = list.statements.find((row) => row.query === read)
    expect(readRow?.sparkline.reduce((sum, calls) => sum + calls, 0)).toBe(20)
    const detail = await client.insights.get.query({
      pipeline: 'load',
      fingerprint: readRow?.fingerprint ?? '',
    })
    expect(detail.series.reduce((sum, point) => sum + point.calls, 0)).toBe(20)

    // A restart keeps them; the next engine's counts add to them.
    await engine.stop()
    engine = await startTestEngine(db.url)
    expect(byQuery(await insights(engine.url)).get(insert)?.calls).toBe(30)
    await sendLoad(engine.url, 1000)
    const after = byQuery(await insights(engine.url))
    expect(after.get(insert)).toMatchObject({
      calls: 60,
      rows: 54,
      failures: { total: 6, bySqlstate: { '23505': 6 } },
    })
    expect(after.get(read)?.calls).toBe(40)

    // Minutes folded into hours keep every count.
    const store = new InsightsStore(db.pool, { minutesForHours: 1, hoursForDays: 7, topN: 100 })
    await store.compact(Date.now() + 2 * 3_600_000)
    const spans = await db.pool.query<{ span_minutes: number }>(
      `SELECT DISTINCT span_minutes FROM sluice.statement_stats WHERE pipeline = 'load'`,
    )
    expect(spans.rows.map((row) => row.span_minutes)).toEqual([60])
    const folded = byQuery(await insights(engine.url))
    expect(folded.get(insert)).toMatchObject({ calls: 60, failures: { total: 6 } })
    expect(folded.get(read)?.calls).toBe(40)
  })

  it('answers a bad since with 400 naming it', async () => {
    engine ??= await startTestEngine(db.url)
    const response = await fetch(`${engine.url}/v1/insights?since=yesterday`)
    expect(response.status).toBe(400)
    expect(await response.text()).toMatch(/since/)
  })
})
