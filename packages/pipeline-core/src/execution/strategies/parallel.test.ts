import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPipelineFixture } from '../../testing/pipelineFixture'
import type { PipelineFixture } from '../../testing/pipelineFixture'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('parallel')
  await fx.schema.pool.query('CREATE TABLE hits (id int PRIMARY KEY)')
})
afterAll(async () => fx.dispose())

test('a batch is spread over several connections', async () => {
  const pipeline = fx.open({
    strategy: 'parallel',
    batchSize: 64,
    maxConnections: 4,
    flushIntervalMs: 10_000,
  })
  // Each query holds its connection briefly so the pool must open several.
  for (let i = 0; i < 64; i++)
    await pipeline.addQuery('SELECT pg_backend_pid() AS pid, pg_sleep(0.002)')
  const results = await pipeline.flush()
  expect(results.every((result) => result.success)).toBe(true)
  const pids = new Set(results.map((result) => result.rows[0]?.pid))
  expect(pids.size).toBeGreaterThan(1)
  expect(pids.size).toBeLessThanOrEqual(4)
})

test('a failure touches only its own query', async () => {
  const pipeline = fx.open({
    strategy: 'parallel',
    batchSize: 40,
    maxConnections: 3,
    flushIntervalMs: 10_000,
  })
  for (let i = 0; i < 40; i++)
    await pipeline.addQuery('INSERT INTO hits VALUES ($1)', [i % 10 === 9 ? 0 : i])
  const results = await pipeline.flush()
  const failed = results.flatMap((result, index) => (result.success ? [] : [index]))
  // id 0 is inserted by query 0 and by every 10th-from-9 query; whichever ran first won.
  expect(failed.length).toBe(4)
  expect(results.filter((result) => result.error?.code === '23505')).toHaveLength(4)
  const count = await fx.count('SELECT count(*)::int AS count FROM hits')
  expect(count).toBe(36)
})
