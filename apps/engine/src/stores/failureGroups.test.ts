import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import type { Engine } from '../engine'
import { engineClient, postJson, startTestEngine } from '../testing/engineHarness'

/*
 * Failure groups against a real engine: identical failures make one group with their count,
 * kept as failures are written, retried and discarded; retrying a group after fixing the cause
 * runs each member once.
 */

let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>

beforeAll(async () => {
  db = await createTestDatabase('failure_groups')
  engine = await startTestEngine(db.url)
  client = engineClient(engine.url)
  await db.pool.query('CREATE TABLE readings (id int PRIMARY KEY, value int CHECK (value > 0))')
  await client.pipelines.create.mutate({
    name: 'sensors',
    config: { strategy: 'best_effort', flushIntervalMs: 5, optimize: false },
  })
})
afterAll(async () => {
  await engine.stop()
  await db.drop()
})

async function send(queries: unknown[]): Promise<void> {
  const answer = await postJson(`${engine.url}/v1/pipelines/sensors/queries`, { queries })
  expect(answer.status).toBe(200)
}

describe('failure groups', () => {
  it('show identical failures as one group; a group retry after the fix runs each once', async () => {
    // 40 rows break the CHECK (23514), 5 name a missing table (42P01): two groups.
    await send(
      Array.from({ length: 40 }, (_, i) => ({
        sql: 'INSERT INTO readings (id, value) VALUES ($1, $2)',
        params: [i, -i - 1],
      })),
    )
    await send(
      Array.from({ length: 5 }, (_, i) => ({
        sql: 'INSERT INTO missing_table (id) VALUES ($1)',
        params: [i],
      })),
    )
    const { items } = await client.failures.groups.query({ pipeline: 'sensors' })
    expect(items.map((group) => [group.errorCode, group.count]).sort()).toEqual([
      ['23514', 40],
      ['42P01', 5],
    ])
    const check = items.find((group) => group.errorCode === '23514')
    expect(check?.sampleSql).toBe('INSERT INTO readings (id, value) VALUES ($1, $2)')
    expect(check?.sampleMessage).toMatch(/check constraint/)
    expect(check?.sparkline.reduce((sum, n) => sum + n, 0)).toBe(40)
    const members = {
      pipeline: 'sensors',
      fingerprint: check?.fingerprint ?? '',
      errorCode: '23514',
    }
    expect((await client.failures.count.query(members)).count).toBe(40)

    // Retried before the fix: they fail again, and the group keeps its count.
    const early = await client.failures.retryAll.mutate(members)
    expect(early).toMatchObject({ matched: 40, failed: 40, resolved: 0 })
    const still = await client.failures.groups.query({ pipeline: 'sensors' })
    expect(still.items.find((group) => group.errorCode === '23514')?.count).toBe(40)

    await db.pool.query('ALTER TABLE readings DROP CONSTRAINT readings_value_check')
    const report = await client.failures.retryAll.mutate(members)
    expect(report).toMatchObject({ matched: 40, resolved: 40, failed: 0 })
    const rows = await db.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM readings',
    )
    expect(rows.rows[0]?.count).toBe(40)
    const after = await client.failures.groups.query({ pipeline: 'sensors' })
    expect(after.items.map((group) => group.errorCode)).toEqual(['42P01'])

    // Discarding a group empties it; the audit log has both kinds of change.
    const missing = after.items[0]
    const discarded = await client.failures.discardAll.mutate({
      pipeline: 'sensors',
      fingerprint: missing?.fingerprint ?? '',
      errorCode: '42P01',
    })
    expect(discarded.count).toBe(5)
    expect((await client.failures.groups.query({ pipeline: 'sensors' })).items).toEqual([])
    const audit = await client.audit.list.query({})
    const actions = audit.items.map((entry) => entry.action)
    expect(actions).toContain('failures.retryAll')
    expect(actions).toContain('failures.discardAll')
  })
})
