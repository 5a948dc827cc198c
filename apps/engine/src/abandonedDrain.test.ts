import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, postJson, startTestEngine } from './testing/engineHarness'

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('abandoned_drain')
})

afterAll(async () => {
  await db.drop()
})

interface Answer {
  results: { status: string; error?: { code?: string; unrecorded?: boolean }; failureId?: string }[]
}

describe('a drain given up on', () => {
  it('answers every query it did not run failed ABANDONED, records each, and still stops', async () => {
    const engine = await startTestEngine(db.url)
    // One slow query per batch, one batch at a time: a drain of 12 takes ~3 s (the first starts at once).
    await postJson(
      `${engine.url}/v1/pipelines/slow`,
      { strategy: 'sequential', batchSize: 1, flushIntervalMs: 60_000 },
      { method: 'PUT' },
    )
    const answer = postJson(`${engine.url}/v1/pipelines/slow/queries`, {
      queries: Array.from({ length: 12 }, (_, i) => ({
        sql: 'SELECT pg_sleep(0.25), $1::int AS n',
        params: [i],
        callbackId: `slow-${String(i)}`,
      })),
    })
    await eventually(
      () => engine.registry.queuedQueries() === 11,
      5_000,
      'queries queued behind the first',
    )
    const stopped = engine.stop()
    await eventually(() => engine.registry.queuedQueries() < 10, 5_000, 'the drain to run some')
    const abandoned = engine.registry.abandonQueued()
    expect(abandoned).toBeGreaterThan(0)
    expect(engine.registry.queuedQueries()).toBe(0)

    const { status, body } = await answer
    await stopped
    expect(status).toBe(200)
    const results = (body as Answer).results
    expect(results).toHaveLength(12)
    const failed = results.filter((result) => result.status === 'failed')
    expect(failed).toHaveLength(abandoned)
    expect(results.filter((result) => result.status === 'succeeded')).toHaveLength(12 - abandoned)
    for (const result of failed) {
      expect(result.error?.code).toBe('ABANDONED')
      expect(result.error?.unrecorded).toBeUndefined()
      expect(result.failureId).toBeDefined()
    }
    // Sluice's own codes are kept in `detail` (the sqlstate column holds SQLSTATEs only).
    const { rows } = await db.pool.query<{ callback_id: string; detail: string }>(
      `SELECT callback_id, detail FROM sluice.failed_queries WHERE pipeline = 'slow' ORDER BY callback_id`,
    )
    expect(rows).toHaveLength(abandoned)
    expect(new Set(rows.map((row) => row.detail))).toEqual(new Set(['ABANDONED']))
  })
})
