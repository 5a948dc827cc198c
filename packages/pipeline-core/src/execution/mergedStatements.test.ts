import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { BatchEvent, QueryResult } from '../types'
import type { Strategy } from '@sluice/contract'

/*
 * The executor's side of merging: a merged statement that fails is split (bisected) so that
 * only the guilty query fails, with each strategy's own rule for the others.
 */

let fx: PipelineFixture
const ROWS = 200
const GUILTY = 137

beforeAll(async () => {
  fx = await createPipelineFixture('merged')
  await fx.schema.pool.query('CREATE TABLE readings (id int PRIMARY KEY, value int NOT NULL)')
})
beforeEach(async () => {
  await fx.schema.pool.query('TRUNCATE readings')
  await fx.schema.pool.query('INSERT INTO readings VALUES ($1, 0)', [-GUILTY])
})
afterAll(async () => fx.dispose())

async function insertWithOneDuplicate(
  strategy: Strategy,
): Promise<{ results: QueryResult[]; batches: BatchEvent[] }> {
  const pipeline = fx.open({
    strategy,
    batchSize: ROWS,
    flushIntervalMs: 60_000,
    adaptiveBatchSize: false,
  })
  const batches: BatchEvent[] = []
  pipeline.on('batch', (event) => batches.push(event))
  for (let i = 0; i < ROWS; i++) {
    // Query GUILTY collides with the row inserted before the test.
    await pipeline.addQuery('INSERT INTO readings (id, value) VALUES ($1, $2)', [
      i === GUILTY ? -GUILTY : i,
      i,
    ])
  }
  return { results: await pipeline.flush(), batches }
}

test('best_effort: a merged INSERT with one bad row fails only that row', async () => {
  const { results, batches } = await insertWithOneDuplicate('best_effort')
  expect(batches[0]?.merged).toBeGreaterThan(0)
  const failed = results.flatMap((result, index) => (result.success ? [] : [index]))
  expect(failed).toEqual([GUILTY])
  expect(results[GUILTY]?.error?.code).toBe('23505')
  expect(results.filter((result) => result.success).every((result) => result.rowCount === 1)).toBe(
    true,
  )
  expect(await fx.count('SELECT count(*)::int AS count FROM readings')).toBe(ROWS)
})

test('transactional: the guilty row failed, every other rolled_back, nothing written', async () => {
  const { results } = await insertWithOneDuplicate('transactional')
  expect(results[GUILTY]?.status).toBe('failed')
  expect(results[GUILTY]?.error?.code).toBe('23505')
  expect(results.filter((result) => result.status === 'rolled_back')).toHaveLength(ROWS - 1)
  expect(await fx.count('SELECT count(*)::int AS count FROM readings')).toBe(1)
})

test('sequential: rows before the guilty one are written, it fails, the rest is skipped', async () => {
  const { results } = await insertWithOneDuplicate('sequential')
  expect(results.slice(0, GUILTY).every((result) => result.status === 'succeeded')).toBe(true)
  expect(results[GUILTY]?.status).toBe('failed')
  expect(results.slice(GUILTY + 1).every((result) => result.status === 'skipped')).toBe(true)
  expect(await fx.count('SELECT count(*)::int AS count FROM readings')).toBe(GUILTY + 1)
})

test('parallel: only the guilty row fails', async () => {
  const { results } = await insertWithOneDuplicate('parallel')
  expect(results.flatMap((result, index) => (result.success ? [] : [index]))).toEqual([GUILTY])
  expect(await fx.count('SELECT count(*)::int AS count FROM readings')).toBe(ROWS)
})

test('each result names its statement shape and whether it was merged or deduplicated', async () => {
  const pipeline = fx.open({
    strategy: 'best_effort',
    batchSize: 100,
    flushIntervalMs: 60_000,
    adaptiveBatchSize: false,
  })
  await pipeline.addQuery('INSERT INTO readings (id, value) VALUES ($1, $2)', [1, 1])
  await pipeline.addQuery('INSERT INTO readings (id, value) VALUES ($1, $2)', [2, 2])
  await pipeline.addQuery('SELECT 1 AS one', [])
  await pipeline.addQuery('SELECT 1 AS one', [])
  await pipeline.addQuery('DELETE FROM readings WHERE id = $1', [-GUILTY])
  const results = await pipeline.flush()
  expect(results.map((result) => result.optimizedAs)).toEqual([
    'merged',
    'merged',
    undefined,
    'deduplicated',
    undefined,
  ])
  const prints = results.map((result) => result.fingerprint)
  expect(prints.every((print) => typeof print === 'string')).toBe(true)
  expect(prints[1]).toBe(prints[0])
  expect(prints[3]).toBe(prints[2])
  expect(new Set(prints).size).toBe(3)
})
