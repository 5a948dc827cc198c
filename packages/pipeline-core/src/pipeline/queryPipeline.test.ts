import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { BatchEvent, QueryResult } from '../types'
import type { SubmittedQuery } from './pipelineEvents'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('pipeline')
  await fx.schema.pool.query('CREATE TABLE notes (id int PRIMARY KEY, body text)')
})
beforeEach(async () => {
  await fx.schema.pool.query('TRUNCATE notes')
})
afterAll(async () => fx.dispose())

test('a result carries the query id, rows, rowCount, callbackId, batch id and timing', async () => {
  const pipeline = fx.open({ batchSize: 10, flushIntervalMs: 10_000 })
  const { id, result } = await pipeline.addQuery(
    'INSERT INTO notes VALUES ($1, $2), ($3, $4) RETURNING id',
    [1, 'a', 2, 'b'],
    {
      callbackId: 'cb-1',
    },
  )
  await pipeline.flush()
  const outcome = await result
  expect(outcome).toMatchObject({
    queryId: id,
    status: 'succeeded',
    success: true,
    rowCount: 2,
    retryCount: 0,
    callbackId: 'cb-1',
  })
  expect(outcome.rows).toEqual([{ id: 1 }, { id: 2 }])
  expect(outcome.batchId).toEqual(expect.any(String))
  expect(outcome.durationMs).toBeGreaterThanOrEqual(0)
  expect(outcome.error).toBeUndefined()
})

test('a batch flushes when batchSize queries are queued, without flush()', async () => {
  const pipeline = fx.open({ batchSize: 10, flushIntervalMs: 60_000, optimize: false })
  const batches: BatchEvent[] = []
  pipeline.on('batch', (event) => batches.push(event))
  const accepted = []
  for (let i = 0; i < 20; i++) accepted.push(await pipeline.addQuery('SELECT $1::int AS n', [i]))
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(results.map((result) => result.rows[0]?.n)).toEqual([...Array(20).keys()])
  expect(batches.map((event) => event.size)).toEqual([10, 10])
  expect(batches[0]).toMatchObject({
    pipeline: pipeline.name,
    strategy: 'best_effort',
    succeeded: 10,
    failed: 0,
    statements: 10,
  })
})

test('a partial batch flushes once its oldest query waited flushIntervalMs', async () => {
  const pipeline = fx.open({ batchSize: 1000, flushIntervalMs: 40 })
  const started = performance.now()
  const { result } = await pipeline.addQuery('SELECT 7 AS seven')
  expect((await result).rows).toEqual([{ seven: 7 }])
  expect(performance.now() - started).toBeGreaterThanOrEqual(35)
})

test('flush() returns everything finished since the last flush, auto-flushed batches included, in submission order', async () => {
  const pipeline = fx.open({
    batchSize: 3,
    flushIntervalMs: 60_000,
    strategy: 'parallel',
    maxConnections: 3,
  })
  const ids = []
  for (let i = 0; i < 8; i++)
    ids.push((await pipeline.addQuery('SELECT $1::int AS n, pg_sleep($2)', [i, (8 - i) / 1000])).id)
  const first = await pipeline.flush()
  expect(first.map((result) => result.queryId)).toEqual(ids)
  expect(await pipeline.flush()).toEqual([])
  const { id } = await pipeline.addQuery('SELECT 1')
  expect((await pipeline.flush()).map((result) => result.queryId)).toEqual([id])
})

test('query() is the one-call form', async () => {
  const pipeline = fx.open({ flushIntervalMs: 1 })
  const result = await pipeline.query('SELECT $1::text AS greeting', ['hello'])
  expect(result.rows).toEqual([{ greeting: 'hello' }])
})

test("'result' listeners get every result with the query's sql and params; off() stops them", async () => {
  const pipeline = fx.open({ batchSize: 10, flushIntervalMs: 60_000 })
  const seen: [QueryResult, SubmittedQuery][] = []
  const listener = (result: QueryResult, query: SubmittedQuery): void => {
    seen.push([result, query])
  }
  pipeline.on('result', listener)
  await pipeline.addQuery('SELECT 1 / $1::int AS x', [0], { callbackId: 'div' })
  await pipeline.addQuery('SELECT 2 AS y')
  await pipeline.flush()
  expect(
    seen.map(([result, query]) => [result.status, query.sql, query.params, query.callbackId]),
  ).toEqual([
    ['failed', 'SELECT 1 / $1::int AS x', [0], 'div'],
    ['succeeded', 'SELECT 2 AS y', [], undefined],
  ])
  pipeline.off('result', listener)
  await pipeline.addQuery('SELECT 3')
  await pipeline.flush()
  expect(seen).toHaveLength(2)
})

test('a listener that throws does not disturb the pipeline', async () => {
  const pipeline = fx.open({ batchSize: 10, flushIntervalMs: 60_000 })
  pipeline.on('result', () => {
    throw new Error('listener bug')
  })
  const { result } = await pipeline.addQuery('SELECT 1 AS one')
  await pipeline.flush()
  expect((await result).success).toBe(true)
})

test('getStatus() counts queries, batches and outcomes', async () => {
  const pipeline = fx.open({ batchSize: 2, flushIntervalMs: 60_000 })
  await pipeline.addQuery('SELECT 1')
  await pipeline.addQuery('SELECT 1 / 0')
  await pipeline.addQuery('SELECT 3')
  expect(pipeline.getStatus().queueSize).toBe(1)
  await pipeline.flush()
  const status = pipeline.getStatus()
  expect(status).toMatchObject({
    name: pipeline.name,
    state: 'running',
    strategy: 'best_effort',
    queueSize: 0,
    inFlight: 0,
    totalQueries: 3,
    totalBatches: 2,
    succeeded: 2,
    failed: 1,
    avgBatchSize: 1.5,
    batchSize: 2,
  })
  expect(status.successRate).toBeCloseTo(2 / 3)
  expect(status.avgExecutionTimeMs).toBeGreaterThan(0)
})

test('streaming mode (retainResults: false) keeps nothing for flush(); promises and events still get every result', async () => {
  const pipeline = fx.open({ batchSize: 50, flushIntervalMs: 60_000, retainResults: false })
  let events = 0
  pipeline.on('result', () => {
    events++
  })
  const accepted = []
  for (let i = 0; i < 120; i++) accepted.push(await pipeline.addQuery('SELECT $1::int AS n', [i]))
  expect(await pipeline.flush()).toEqual([])
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(results.map((result) => result.rows[0]?.n)).toEqual([...Array(120).keys()])
  expect(events).toBe(120)
})

test('explain() returns the plan without running it', async () => {
  const pipeline = fx.open({})
  const explanation = await pipeline.explain([
    { sql: 'INSERT INTO notes (id, body) VALUES ($1, $2)', params: [1, 'x'] },
    { sql: 'INSERT INTO notes (id, body) VALUES ($1, $2)', params: [2, 'y'] },
  ])
  expect(explanation.queryCount).toBe(2)
  expect(explanation.statements.flatMap((statement) => statement.queries)).toEqual([0, 1])
  expect(explanation.summary).toEqual(expect.any(String))
  expect(await fx.rows('SELECT * FROM notes')).toEqual([])
})
