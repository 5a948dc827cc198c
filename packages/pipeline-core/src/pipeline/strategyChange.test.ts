import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { BatchEvent } from '../types'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('strategy_change')
  await fx.schema.pool.query('CREATE TABLE applied (key text PRIMARY KEY)')
})
afterAll(async () => fx.dispose())

const insert = 'INSERT INTO applied (key) VALUES ($1)'

function groupWithFailure(
  prefix: string,
  size: number,
  failingAt: number,
): { sql: string; params: unknown[] }[] {
  return Array.from({ length: size }, (_, i) =>
    i === failingAt
      ? { sql: 'SELECT 1/0', params: [] }
      : { sql: insert, params: [`${prefix}-${i}`] },
  )
}

test('a group queued under transactional stays atomic after a live switch to best_effort', async () => {
  const pipeline = fx.open({ strategy: 'transactional', batchSize: 20, flushIntervalMs: 60_000 })
  const batches: BatchEvent[] = []
  pipeline.on('batch', (event) => batches.push(event))
  const group = await pipeline.addGroup(groupWithFailure('switched', 5, 2))
  pipeline.configure({ strategy: 'best_effort', flushIntervalMs: 5 })
  // Accepted after the change: independent, so its failure touches only itself.
  const after = [
    await pipeline.addQuery(insert, ['after-0']),
    await pipeline.addQuery('SELECT 1/0'),
    await pipeline.addQuery(insert, ['after-2']),
  ]
  const groupResults = await Promise.all(group.map((query) => query.result))
  const afterResults = await Promise.all(after.map((query) => query.result))

  expect(groupResults.map((result) => result.status)).toEqual([
    'rolled_back',
    'rolled_back',
    'failed',
    'rolled_back',
    'rolled_back',
  ])
  expect(groupResults[2]?.error?.code).toBe('22012')
  expect(afterResults.map((result) => result.status)).toEqual(['succeeded', 'failed', 'succeeded'])
  const keys = await fx.rows<{ key: string }>(
    "SELECT key FROM applied WHERE key LIKE 'switched-%' OR key LIKE 'after-%' ORDER BY key",
  )
  expect(keys.map((row) => row.key)).toEqual(['after-0', 'after-2'])
  // The queue was cut where the strategy changed: no batch mixed the two.
  expect(batches.map((event) => [event.strategy, event.size])).toEqual([
    ['transactional', 5],
    ['best_effort', 3],
  ])
  expect(pipeline.getStatus().strategy).toBe('best_effort')
})

test('a group larger than a lowered batchSize still runs whole, in one transaction', async () => {
  const pipeline = fx.open({
    strategy: 'transactional',
    batchSize: 10,
    flushIntervalMs: 60_000,
    optimize: true,
  })
  const batches: BatchEvent[] = []
  pipeline.on('batch', (event) => batches.push(event))
  const group = await pipeline.addGroup(groupWithFailure('shrunk', 6, 5))
  pipeline.configure({ batchSize: 2, optimize: false, maxConnections: 1, flushIntervalMs: 5 })
  const results = await Promise.all(group.map((query) => query.result))
  expect(results.map((result) => result.status)).toEqual([
    'rolled_back',
    'rolled_back',
    'rolled_back',
    'rolled_back',
    'rolled_back',
    'failed',
  ])
  expect(
    await fx.count("SELECT count(*)::int AS count FROM applied WHERE key LIKE 'shrunk-%'"),
  ).toBe(0)
  expect(batches.map((event) => [event.strategy, event.size])).toEqual([['transactional', 6]])
})

test('queries queued under sequential still halt at a failure after a switch to parallel', async () => {
  const pipeline = fx.open({ strategy: 'sequential', batchSize: 10, flushIntervalMs: 60_000 })
  const queued = [
    await pipeline.addQuery(insert, ['seq-0']),
    await pipeline.addQuery('SELECT 1/0'),
    await pipeline.addQuery(insert, ['seq-2']),
  ]
  pipeline.configure({ strategy: 'parallel', flushIntervalMs: 5 })
  const results = await Promise.all(queued.map((query) => query.result))
  expect(results.map((result) => result.status)).toEqual(['succeeded', 'failed', 'skipped'])
  expect(await fx.count("SELECT count(*)::int AS count FROM applied WHERE key = 'seq-2'")).toBe(0)
  expect(pipeline.getStatus().state).toBe('halted')
})
