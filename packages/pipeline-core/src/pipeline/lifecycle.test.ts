import pg from 'pg'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { PipelineError } from '../errors'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import { QueryPipeline } from './queryPipeline'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('lifecycle')
  await fx.schema.pool.query('CREATE TABLE jobs (id int PRIMARY KEY, arrival bigserial)')
})
beforeEach(async () => {
  await fx.schema.pool.query('TRUNCATE jobs')
})
afterAll(async () => fx.dispose())

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  return error instanceof PipelineError ? error.code : undefined
}

test('a full queue makes addQuery wait (back-pressure) or, with wait: false, reject with QUEUE_FULL', async () => {
  // One batch at a time, held in flight: what comes after it stays queued.
  const pipeline = fx.open({
    batchSize: 1,
    maxQueueSize: 5,
    maxInFlightBatches: 1,
    flushIntervalMs: 0,
  })
  const blocker = await fx.blocker()
  const held = await pipeline.addQuery(blocker.sql)
  for (let id = 1; id <= 5; id++) await pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [id])
  expect(
    await codeOf(pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [6], { wait: false })),
  ).toBe('QUEUE_FULL')

  let accepted = false
  const waiting = pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [6]).then((query) => {
    accepted = true
    return query
  })
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(accepted).toBe(false)
  expect(pipeline.getStatus()).toMatchObject({ state: 'running', queueSize: 5, inFlight: 1 })

  await blocker.release()
  const { result } = await waiting
  await pipeline.flush()
  expect((await held.result).success).toBe(true)
  expect((await result).success).toBe(true)
  const count = await fx.count('SELECT count(*)::int AS count FROM jobs')
  expect(count).toBe(6)
})

test('waiting callers are served in submission order', async () => {
  const pipeline = fx.open({
    batchSize: 2,
    maxQueueSize: 2,
    flushIntervalMs: 0,
    strategy: 'sequential',
  })
  const blocker = await fx.blocker()
  await pipeline.addQuery(blocker.sql)
  await pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [1])
  await pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [2])
  const later = [3, 4, 5, 6, 7].map((id) => pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [id]))
  await blocker.release()
  const accepted = await Promise.all(later)
  await pipeline.flush()
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(results.every((result) => result.success)).toBe(true)
  // In the order they ran (arrival), not just all present.
  const rows = await fx.rows<{ id: number }>('SELECT id FROM jobs ORDER BY arrival')
  expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 7])
})

test('a paused pipeline refuses new queries and callers waiting for room, and keeps its queue', async () => {
  const pipeline = fx.open({
    batchSize: 1,
    maxQueueSize: 1,
    maxInFlightBatches: 1,
    flushIntervalMs: 0,
  })
  const blocker = await fx.blocker()
  await pipeline.addQuery(blocker.sql)
  const queued = await pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [1])
  const waiting = codeOf(pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [2]))
  pipeline.pause()
  expect(await waiting).toBe('PIPELINE_PAUSED')
  const refused = await pipeline
    .addQueries([{ sql: 'INSERT INTO jobs VALUES ($1)', params: [3] }])
    .catch((error: unknown) => error)
  expect(refused).toBeInstanceOf(PipelineError)
  expect((refused as PipelineError).message).toMatch(
    /is paused: it takes no new queries until resume\(\)/,
  )
  await blocker.release()
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(pipeline.getStatus()).toMatchObject({ state: 'paused', queueSize: 1 })
  pipeline.resume()
  expect((await queued.result).success).toBe(true)
  const rows = await fx.rows<{ id: number }>('SELECT id FROM jobs ORDER BY id')
  expect(rows.map((row) => row.id)).toEqual([1])
})

test('a query accepted at once never overtakes an earlier call that is still being accepted', async () => {
  // A new pipeline's first call waits for the parser; a call made a few microtasks later may
  // find the parser ready and could be accepted at once. Try every gap from 0 to 8 microtasks.
  for (let gap = 0; gap <= 8; gap++) {
    const pipeline = fx.open({ batchSize: 10, flushIntervalMs: 60_000, strategy: 'sequential' })
    const first = pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [gap * 2 + 1])
    for (let tick = 0; tick < gap; tick++) await Promise.resolve()
    const second = pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [gap * 2 + 2])
    const accepted = await Promise.all([first, second])
    await pipeline.flush()
    expect(
      (await Promise.all(accepted.map((query) => query.result))).map((r) => r.success),
    ).toEqual([true, true])
  }
  const rows = await fx.rows<{ id: number }>('SELECT id FROM jobs ORDER BY arrival')
  expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1))
})

test('close() runs everything queued first, then refuses new queries', async () => {
  const pipeline = fx.open({ batchSize: 100, flushIntervalMs: 60_000 })
  const accepted = []
  for (let id = 1; id <= 30; id++)
    accepted.push(await pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [id]))
  await pipeline.close()
  const results = await Promise.all(accepted.map((query) => query.result))
  expect(results.every((result) => result.success)).toBe(true)
  expect(pipeline.getStatus().state).toBe('closed')
  const count = await fx.count('SELECT count(*)::int AS count FROM jobs')
  expect(count).toBe(30)
  expect(await codeOf(pipeline.addQuery('SELECT 1'))).toBe('PIPELINE_CLOSED')
  expect(await codeOf(pipeline.addGroup([{ sql: 'SELECT 1' }]))).toBe('PIPELINE_CLOSED')
})

test('close() drains a paused pipeline and refuses callers still waiting for room', async () => {
  const pipeline = fx.open({
    batchSize: 1,
    maxQueueSize: 1,
    maxInFlightBatches: 1,
    flushIntervalMs: 0,
  })
  const blocker = await fx.blocker()
  await pipeline.addQuery(blocker.sql)
  const first = await pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [1])
  const waiting = codeOf(pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [2]))
  await blocker.release()
  await new Promise((resolve) => setTimeout(resolve, 10))
  const paused = fx.open({ batchSize: 10, flushIntervalMs: 60_000 })
  const held = await paused.addQuery('INSERT INTO jobs VALUES ($1)', [3])
  paused.pause()
  await Promise.all([pipeline.close(), paused.close()])
  expect(await waiting).toBe(undefined) // it got room once the blocker finished
  expect((await first.result).success).toBe(true)
  expect((await held.result).success).toBe(true)
  const rows = await fx.rows<{ id: number }>('SELECT id FROM jobs ORDER BY id')
  expect(rows.map((row) => row.id)).toEqual([1, 2, 3])
})

test('close() refuses callers still waiting for room with PIPELINE_CLOSED', async () => {
  const pipeline = fx.open({
    batchSize: 1,
    maxQueueSize: 1,
    maxInFlightBatches: 1,
    flushIntervalMs: 0,
  })
  const blocker = await fx.blocker()
  await pipeline.addQuery(blocker.sql)
  const first = await pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [1])
  const waiting = codeOf(pipeline.addQuery('INSERT INTO jobs VALUES ($1)', [2]))
  const closed = pipeline.close()
  expect(await waiting).toBe('PIPELINE_CLOSED')
  await blocker.release()
  await closed
  expect((await first.result).success).toBe(true)
  const rows = await fx.rows<{ id: number }>('SELECT id FROM jobs ORDER BY id')
  expect(rows.map((row) => row.id)).toEqual([1])
})

test('a pg.Pool given by the caller is used and not ended by close()', async () => {
  const pool = new pg.Pool({ connectionString: fx.schema.url, max: 2 })
  try {
    const pipeline = new QueryPipeline({ name: 'borrowed', connection: pool, flushIntervalMs: 1 })
    expect((await pipeline.query('SELECT 41 + 1 AS answer')).rows).toEqual([{ answer: 42 }])
    await pipeline.close()
    // Still usable, and its clients were handed back out of pipeline mode.
    const client = await pool.connect()
    expect((client as unknown as { pipeline: boolean }).pipeline).toBe(false)
    client.release()
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  } finally {
    await pool.end()
  }
})

test('an unreachable server fails each query after its retries, with CONNECTION_LOST', async () => {
  const pipeline = new QueryPipeline({
    name: 'unreachable',
    connection: {
      host: '127.0.0.1',
      port: 1,
      user: 'postgres',
      database: 'test',
      connectionTimeoutMillis: 500,
    },
    flushIntervalMs: 1,
    retry: { maxAttempts: 2, baseDelayMs: 1 },
  })
  const result = await pipeline.query('SELECT 1')
  expect(result).toMatchObject({
    status: 'failed',
    retryCount: 1,
    error: { code: 'CONNECTION_LOST' },
  })
  expect(result.error?.message).toMatch(/could not connect/)
  await pipeline.close()
})

test('flush() while paused runs nothing and returns what already finished', async () => {
  const pipeline = fx.open({ batchSize: 10, flushIntervalMs: 60_000 })
  await pipeline.addQuery('SELECT 1 AS one')
  const done = await pipeline.flush()
  expect(done).toHaveLength(1)
  const { result } = await pipeline.addQuery('SELECT 2 AS two')
  pipeline.pause()
  expect(await pipeline.flush()).toEqual([])
  expect(pipeline.getStatus().queueSize).toBe(1)
  pipeline.resume()
  expect((await pipeline.flush()).map((r) => r.rows)).toEqual([[{ two: 2 }]])
  expect((await result).success).toBe(true)
})

test('close() on a halted sequential pipeline answers everything and closes', async () => {
  const pipeline = fx.open({ strategy: 'sequential', batchSize: 2, flushIntervalMs: 60_000 })
  // All three queued in one call, before anything runs: the first batch takes two.
  const [failing, second, queued] = await pipeline.addQueries([
    { sql: 'SELECT 1 / 0' },
    { sql: 'SELECT 2' },
    { sql: 'SELECT 3' },
  ])
  if (!failing || !second || !queued) throw new Error('expected three accepted queries')
  await pipeline.close()
  expect((await failing.result).status).toBe('failed')
  expect((await second.result).status).toBe('skipped')
  expect((await queued.result).status).toBe('skipped')
  expect(pipeline.getStatus().state).toBe('closed')
})

test('close({ abandon: true }) during a drain answers the queued queries failed ABANDONED without running them; the running batch finishes', async () => {
  const pipeline = fx.open({ batchSize: 1, maxInFlightBatches: 1, flushIntervalMs: 60_000 })
  const answered: string[] = []
  pipeline.on('result', (result) => answered.push(result.status))
  const blocker = await fx.blocker()
  const running = await pipeline.addQuery(blocker.sql)
  const queued = await pipeline.addQueries(
    [1, 2, 3, 4, 5].map((id) => ({ sql: 'INSERT INTO jobs VALUES ($1)', params: [id] })),
  )
  const draining = pipeline.close()
  await new Promise((resolve) => setTimeout(resolve, 50))
  expect(pipeline.getStatus()).toMatchObject({ state: 'closing', queueSize: 5, inFlight: 1 })

  const abandoning = pipeline.close({ abandon: true })
  expect(abandoning).toBe(draining)
  const results = await Promise.all(queued.map((query) => query.result))
  expect(results.map((result) => [result.status, result.error?.code])).toEqual(
    Array.from({ length: 5 }, () => ['failed', 'ABANDONED']),
  )
  expect(results[0]?.error?.message).toMatch(/closed with abandon while the query was still queued/)
  expect(pipeline.getStatus().queueSize).toBe(0)
  expect(await codeOf(pipeline.addQuery('SELECT 1'))).toBe('PIPELINE_CLOSED')

  await blocker.release()
  await draining
  expect((await running.result).status).toBe('succeeded')
  expect(await fx.count('SELECT count(*)::int AS count FROM jobs')).toBe(0)
  expect(answered.sort()).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'succeeded'])
  expect(pipeline.getStatus()).toMatchObject({ state: 'closed', failed: 5 })
})

test('halt() skips what is queued, refuses new queries with PIPELINE_HALTED until resume(), and fires halt once', async () => {
  const pipeline = fx.open({ strategy: 'sequential', batchSize: 10, flushIntervalMs: 60_000 })
  const halts: string[] = []
  pipeline.on('halt', (reason) => halts.push(reason.code ?? ''))
  const queued = await pipeline.addQuery('INSERT INTO jobs VALUES (1)')
  pipeline.halt({ code: '23505', message: 'halted on another engine' })
  pipeline.halt({ code: '23505', message: 'again' })
  expect(await queued.result).toMatchObject({ status: 'skipped' })
  expect(pipeline.getStatus()).toMatchObject({
    state: 'halted',
    haltReason: { code: '23505', message: 'halted on another engine' },
  })
  expect(await codeOf(pipeline.addQuery('SELECT 1'))).toBe('PIPELINE_HALTED')
  expect(halts).toEqual(['23505'])
  pipeline.resume()
  const after = await pipeline.addQuery('SELECT 1 AS one')
  await pipeline.flush()
  expect((await after.result).rows).toEqual([{ one: 1 }])
  expect(await fx.count('SELECT count(*)::int AS count FROM jobs')).toBe(0)
  await pipeline.close()
})

test('a failed sequential batch fires halt with its failure', async () => {
  const pipeline = fx.open({ strategy: 'sequential', batchSize: 1, flushIntervalMs: 1 })
  const halted = new Promise<string | undefined>((resolve) => {
    pipeline.on('halt', (reason) => {
      resolve(reason.code)
    })
  })
  expect((await pipeline.query('SELECT 1 / 0')).status).toBe('failed')
  expect(await halted).toBe('22012')
  await pipeline.close()
})
