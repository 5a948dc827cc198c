import { randomBytes } from 'node:crypto'
import { startTcpProxy, throughProxy } from '@sluice/tcp-proxy'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { QueryResult } from '../types'
import type { Strategy } from '@sluice/contract'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('connection_loss')
  await fx.schema.pool.query('CREATE TABLE marks (id int PRIMARY KEY)')
})
beforeEach(async () => {
  await fx.schema.pool.query('TRUNCATE marks')
})
afterAll(async () => fx.dispose())

function urlWithApplicationName(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('application_name', name)
  return parsed.toString()
}

/** Waits until a backend of `applicationName` runs pg_sleep, then terminates it (a FATAL 57P01). */
async function terminateWhenSleeping(applicationName: string): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    const { rows } = await fx.schema.pool.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE application_name = $1 AND state = 'active' AND query LIKE '%pg_sleep%'`,
      [applicationName],
    )
    if (rows.some((row) => row.terminated)) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error('the pipeline never ran its pg_sleep query')
}

async function runKilledBatch(strategy: Strategy, optimize: boolean): Promise<QueryResult[]> {
  const applicationName = `sluice-kill-${randomBytes(4).toString('hex')}`
  const pipeline = fx.open({
    connection: urlWithApplicationName(fx.schema.url, applicationName),
    strategy,
    optimize,
    batchSize: 50,
    flushIntervalMs: 10_000,
    maxConnections: 1,
    retry: { maxAttempts: 3, baseDelayMs: 5 },
  })
  for (let id = 1; id <= 5; id++) await pipeline.addQuery('INSERT INTO marks VALUES ($1)', [id])
  // pg_sleep is not on the side-effect-free list: it runs alone (autocommit) when optimizing.
  await pipeline.addQuery('SELECT pg_sleep(0.4) AS slept')
  for (let id = 6; id <= 10; id++) await pipeline.addQuery('INSERT INTO marks VALUES ($1)', [id])
  const flushed = pipeline.flush()
  await terminateWhenSleeping(applicationName)
  return flushed
}

describe('a backend killed with pg_terminate_backend mid-batch', () => {
  test.each<[Strategy, boolean]>([
    ['best_effort', false],
    ['best_effort', true],
    ['parallel', false],
    ['sequential', true],
    ['transactional', false],
  ])(
    '%s (optimize %s): every query ends with one result, the killed work is retried, nothing runs twice',
    async (strategy, optimize) => {
      const results = await runKilledBatch(strategy, optimize)
      expect(results).toHaveLength(11)
      expect(new Set(results.map((result) => result.queryId)).size).toBe(11)
      expect(results.map((result) => result.status)).toEqual(new Array(11).fill('succeeded'))
      // The statement the server was running when it was terminated is retried.
      expect(results[5]?.retryCount).toBeGreaterThanOrEqual(1)
      const rows = await fx.rows<{ id: number }>('SELECT id FROM marks ORDER BY id')
      expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    },
  )
})

describe('a connection cut without a word (network failure)', () => {
  test('a COMMIT whose answer never came back is reported as outcome unknown and never re-run', async () => {
    const proxy = await startTcpProxy({
      target: fx.schema.url,
      faults: { toServerDelayMs: 1, toClientDelayMs: 1 },
    })
    try {
      const pipeline = fx.open({
        connection: throughProxy(fx.schema.url, proxy),
        strategy: 'transactional',
        batchSize: 10,
        flushIntervalMs: 10_000,
        retry: { maxAttempts: 3, baseDelayMs: 1 },
      })
      await pipeline.addQuery('INSERT INTO marks VALUES ($1)', [1])
      await pipeline.addQuery('SELECT pg_sleep(0.3)')
      await pipeline.addQuery('INSERT INTO marks VALUES ($1)', [2])
      const flushed = pipeline.flush()
      await new Promise((resolve) => setTimeout(resolve, 150))
      proxy.cutAll()
      const results = await flushed
      expect(results.map((result) => result.status)).toEqual(['failed', 'failed', 'failed'])
      for (const result of results) {
        expect(result.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcomeUnknown: true })
        expect(result.retryCount).toBe(0)
      }
    } finally {
      await proxy.close()
    }
  })

  test('best_effort: answered statements keep their results; unanswered writes are outcome unknown, not re-run; reads are re-run', async () => {
    const proxy = await startTcpProxy({
      target: fx.schema.url,
      faults: { toServerDelayMs: 1, toClientDelayMs: 1 },
    })
    try {
      const pipeline = fx.open({
        connection: throughProxy(fx.schema.url, proxy),
        strategy: 'best_effort',
        optimize: false,
        batchSize: 10,
        flushIntervalMs: 10_000,
      })
      await pipeline.addQuery('INSERT INTO marks VALUES ($1)', [1])
      await pipeline.addQuery('SELECT pg_sleep(0.3)')
      await pipeline.addQuery('INSERT INTO marks VALUES ($1)', [2])
      await pipeline.addQuery('SELECT count(*)::int AS n FROM marks')
      const flushed = pipeline.flush()
      await new Promise((resolve) => setTimeout(resolve, 150))
      proxy.cutAll()
      const results = await flushed
      expect(results.map((result) => result.status)).toEqual([
        'succeeded',
        'failed',
        'failed',
        'succeeded',
      ])
      expect(results[1]?.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcomeUnknown: true })
      expect(results[2]?.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcomeUnknown: true })
      expect(results.map((result) => result.retryCount)).toEqual([0, 0, 0, 1])
      // A read whose answer was lost is simply asked again (it cannot have changed anything).
      expect(results[3]?.rows).toEqual([{ n: expect.any(Number) as number }])
      // Later queries get a fresh connection.
      const after = await pipeline.addQuery('SELECT 1 AS one')
      await pipeline.flush()
      expect((await after.result).rows).toEqual([{ one: 1 }])
    } finally {
      await proxy.close()
    }
  })
})
