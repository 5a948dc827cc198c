import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { PipelineError } from '../../errors'
import { createPipelineFixture } from '../../testing/pipelineFixture'
import type { PipelineFixture } from '../../testing/pipelineFixture'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('sequential')
  await fx.schema.pool.query('CREATE TABLE steps (id int PRIMARY KEY, note text)')
  await fx.schema.pool.query('CREATE SEQUENCE ticket')
})
beforeEach(async () => {
  await fx.schema.pool.query('TRUNCATE steps')
})
afterAll(async () => fx.dispose())

const insert = 'INSERT INTO steps (id, note) VALUES ($1, $2)'

test.each([true, false])(
  'runs in order and each query sees the ones before it (optimize %s)',
  async (optimize) => {
    const pipeline = fx.open({
      strategy: 'sequential',
      batchSize: 50,
      flushIntervalMs: 10_000,
      optimize,
    })
    await pipeline.addQuery(insert, [1, 'a'])
    await pipeline.addQuery('UPDATE steps SET note = note || $1 WHERE id = $2', ['b', 1])
    await pipeline.addQuery('SELECT note FROM steps WHERE id = 1')
    // Not transaction-safe (a sequence): runs alone, still in order.
    await pipeline.addQuery("SELECT nextval('ticket') AS n")
    await pipeline.addQuery('DELETE FROM steps WHERE id = $1 RETURNING note', [1])
    const results = await pipeline.flush()
    expect(results.map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ])
    expect(results[2]?.rows).toEqual([{ note: 'ab' }])
    expect(results[4]?.rows).toEqual([{ note: 'ab' }])
    expect(results[4]?.rowCount).toBe(1)
  },
)

test('stops at the first failure: the rest is skipped, later batches too, and intake halts until resume()', async () => {
  const pipeline = fx.open({ strategy: 'sequential', batchSize: 4, flushIntervalMs: 10_000 })
  const accepted = []
  for (let id = 1; id <= 10; id++) {
    // id 3 is inserted twice: the second insert (5th query) fails with 23505.
    accepted.push(await pipeline.addQuery(insert, [id === 5 ? 3 : id, `n${id}`]))
  }
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(results.map((result) => result.status)).toEqual([
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'failed',
    'skipped',
    'skipped',
    'skipped',
    'skipped',
    'skipped',
  ])
  expect(results[4]?.error).toMatchObject({ code: '23505' })
  expect(results[5]?.error?.code).toBe('SKIPPED')
  // The queries before the failure committed; nothing after it ran.
  const rows = await fx.rows<{ id: number }>('SELECT id FROM steps ORDER BY id')
  expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4])

  const status = pipeline.getStatus()
  expect(status.state).toBe('halted')
  expect(status.haltReason?.code).toBe('23505')
  const refused = await pipeline.addQuery(insert, [50, 'late']).catch((error: unknown) => error)
  expect(refused).toBeInstanceOf(PipelineError)
  expect((refused as PipelineError).code).toBe('PIPELINE_HALTED')

  pipeline.resume()
  const { result } = await pipeline.addQuery(insert, [50, 'after resume'])
  await pipeline.flush()
  expect((await result).status).toBe('succeeded')
})

test('a failure in the middle of a pipelined transaction keeps the effects of the queries before it', async () => {
  const pipeline = fx.open({ strategy: 'sequential', batchSize: 20, flushIntervalMs: 10_000 })
  for (let id = 1; id <= 6; id++) await pipeline.addQuery(insert, [id, 'x'])
  await pipeline.addQuery('SELECT 1 / $1::int AS boom', [0])
  await pipeline.addQuery(insert, [7, 'x'])
  const results = await pipeline.flush()
  expect(results.map((result) => result.status)).toEqual([
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
    'failed',
    'skipped',
  ])
  expect(results[6]?.error?.code).toBe('22012')
  const count = await fx.count('SELECT count(*)::int AS count FROM steps')
  expect(count).toBe(6)
})

test('a failure in the first query of a batch skips the whole rest', async () => {
  const pipeline = fx.open({ strategy: 'sequential', batchSize: 20, flushIntervalMs: 10_000 })
  await pipeline.addQuery('INSERT INTO missing_table VALUES (1)')
  await pipeline.addQuery(insert, [1, 'never'])
  const results = await pipeline.flush()
  expect(results.map((result) => result.status)).toEqual(['failed', 'skipped'])
  expect(results[0]?.error?.code).toBe('42P01')
  expect(await fx.rows('SELECT * FROM steps')).toEqual([])
})
