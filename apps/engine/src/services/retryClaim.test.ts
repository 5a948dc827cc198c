import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Engine } from '../engine'
import { engineClient, postJson, startTestEngine } from '../testing/engineHarness'

/*
 * Two engines on one database (as a highly available deployment runs them) share the failed-
 * query store. An operator retrying a failure on each at once must not apply it twice.
 */

let db: TestDatabase
let first: Engine
let second: Engine

beforeAll(async () => {
  db = await createTestDatabase('engine_retry_claim')
  first = await startTestEngine(db.url)
  await engineClient(first.url).pipelines.create.mutate({
    name: 'orders',
    config: { flushIntervalMs: 5 },
  })
  // Started after the pipeline was created: it loads it from the shared store.
  second = await startTestEngine(db.url)
})
afterAll(async () => {
  await first.stop()
  await second.stop()
  await db.drop()
})

it('a failure retried from two engines at once runs once; the other retry is refused', async () => {
  // Fails now (no table); once the table exists, a retry inserts a row after a short sleep, so
  // the two retries overlap.
  const sql = 'INSERT INTO late_orders (id) SELECT $1::int FROM pg_sleep(0.3)'
  const answer = await postJson(`${first.url}/v1/pipelines/orders/queries`, {
    queries: [{ sql, params: [7] }],
  })
  const failureId = (answer.body as { results: { failureId?: string }[] }).results[0]?.failureId
  if (failureId === undefined) throw new Error(`no failure recorded: ${JSON.stringify(answer)}`)
  await db.pool.query('CREATE TABLE late_orders (id int)') // no key: a second run would show

  const reports = await Promise.all(
    [first, second].map((engine) =>
      engineClient(engine.url).failures.retry.mutate({ ids: [failureId] }),
    ),
  )
  const outcomes = reports.flatMap((report) => report.outcomes)
  expect(outcomes.map((o) => o.outcome).sort()).toEqual(['not_retried', 'resolved'])
  expect(outcomes.find((o) => o.outcome === 'not_retried')?.error?.message).toContain(
    'is being retried already',
  )
  const rows = await db.pool.query('SELECT id FROM late_orders')
  expect(rows.rows).toEqual([{ id: 7 }])

  // The claim is released: the resolved failure now answers as resolved, not as busy.
  const again = await engineClient(second.url).failures.retry.mutate({ ids: [failureId] })
  expect(again.outcomes[0]?.error?.message).toContain('is resolved')
})
