import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { BatchEvent } from '../types'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('configure')
  await fx.schema.pool.query('CREATE TABLE writes (id int PRIMARY KEY)')
})
afterAll(async () => fx.dispose())

test('settings change live under load without losing a queued query', async () => {
  const pipeline = fx.open({
    strategy: 'best_effort',
    batchSize: 50,
    flushIntervalMs: 20,
    maxQueueSize: 200,
    optimize: false,
  })
  const batches: BatchEvent[] = []
  pipeline.on('batch', (event) => batches.push(event))
  const submitting = (async () => {
    const accepted = []
    for (let id = 0; id < 1500; id++)
      accepted.push(await pipeline.addQuery('INSERT INTO writes VALUES ($1)', [id]))
    return accepted
  })()
  const acceptedAtLeast = async (count: number): Promise<void> => {
    while (pipeline.getStatus().totalQueries < count)
      await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await acceptedAtLeast(300)
  pipeline.configure({ batchSize: 7, strategy: 'parallel', maxConnections: 2 })
  await acceptedAtLeast(600)
  pipeline.configure({ strategy: 'sequential', maxQueueSize: 20, retry: { maxAttempts: 5 } })
  await acceptedAtLeast(900)
  pipeline.configure({
    strategy: 'transactional',
    batchSize: 64,
    maxQueueSize: 1000,
    flushIntervalMs: 1,
  })
  const accepted = await submitting
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(results.every((result) => result.success)).toBe(true)
  const count = await fx.count('SELECT count(*)::int AS count FROM writes')
  expect(count).toBe(1500)
  // Each setting took effect for the batches after it.
  const strategies = new Set(batches.map((event) => event.strategy))
  expect(strategies).toEqual(new Set(['best_effort', 'parallel', 'sequential', 'transactional']))
  expect(batches.some((event) => event.size === 7)).toBe(true)
  expect(Math.max(...batches.map((event) => event.size))).toBeLessThanOrEqual(64)
  const status = pipeline.getStatus()
  expect(status).toMatchObject({
    strategy: 'transactional',
    batchSize: 64,
    totalQueries: 1500,
    succeeded: 1500,
  })
})

test('pause() stops batches, resume() continues with the queue intact', async () => {
  const pipeline = fx.open({ batchSize: 5, flushIntervalMs: 5, maxInFlightBatches: 1 })
  const blocker = await fx.blocker()
  await pipeline.addQuery(blocker.sql)
  await new Promise((resolve) => setTimeout(resolve, 20)) // its batch starts, alone
  const accepted = []
  for (let i = 0; i < 12; i++) accepted.push(await pipeline.addQuery('SELECT $1::int AS n', [i]))
  pipeline.pause()
  await blocker.release()
  await new Promise((resolve) => setTimeout(resolve, 40))
  // The batch that was running finished; nothing queued started.
  expect(pipeline.getStatus()).toMatchObject({ state: 'paused', queueSize: 12, totalBatches: 1 })
  pipeline.resume()
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(results.map((result) => result.rows[0]?.n)).toEqual([...Array(12).keys()])
})
