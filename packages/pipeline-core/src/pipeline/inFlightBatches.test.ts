import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { QueryResult } from '../types'
import type { Strategy } from '@sluice/contract'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('in_flight')
})
afterAll(async () => fx.dispose())

/** A slow one-query batch, then a quick one: which finished first? */
async function slowThenQuick(strategy: Strategy): Promise<string[]> {
  const pipeline = fx.open({
    strategy,
    batchSize: 1,
    flushIntervalMs: 0,
    maxConnections: 2,
    maxInFlightBatches: 2,
  })
  const order: string[] = []
  const track = (name: string) => (result: QueryResult) => {
    order.push(name)
    return result
  }
  const slow = await pipeline.addQuery('SELECT pg_sleep(0.3)')
  const quick = await pipeline.addQuery('SELECT 1')
  await Promise.all([slow.result.then(track('slow')), quick.result.then(track('quick'))])
  return order
}

test('best_effort: a slow batch does not stall the queue (another batch runs on another connection)', async () => {
  expect(await slowThenQuick('best_effort')).toEqual(['quick', 'slow'])
})

test('parallel: batches overlap too', async () => {
  expect(await slowThenQuick('parallel')).toEqual(['quick', 'slow'])
})

test.each<Strategy>(['sequential', 'transactional'])(
  '%s: one batch at a time, in submission order',
  async (strategy) => {
    expect(await slowThenQuick(strategy)).toEqual(['slow', 'quick'])
  },
)

test('flushIntervalMs 0: queries added in the same tick share a batch', async () => {
  const pipeline = fx.open({ batchSize: 100, flushIntervalMs: 0 })
  const accepted = await Promise.all(
    Array.from({ length: 10 }, (_, i) => pipeline.addQuery('SELECT $1::int AS n', [i])),
  )
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(new Set(results.map((result) => result.batchId)).size).toBe(1)
})

test('best_effort groups are never split by a size flush', async () => {
  const pipeline = fx.open({ batchSize: 3, flushIntervalMs: 60_000 })
  const first = await pipeline.addQuery('SELECT 1')
  const group = await pipeline.addGroup([
    { sql: 'SELECT 2' },
    { sql: 'SELECT 3' },
    { sql: 'SELECT 4' },
  ])
  const last = await pipeline.addQuery('SELECT 5')
  await pipeline.flush()
  const groupBatches = new Set(
    await Promise.all(group.map(async (query) => (await query.result).batchId)),
  )
  expect(groupBatches.size).toBe(1)
  expect(groupBatches.has((await first.result).batchId)).toBe(false)
  expect((await last.result).success).toBe(true)
})
