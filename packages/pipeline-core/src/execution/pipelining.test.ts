import { startTcpProxy, throughProxy, type TcpProxy } from '@sluice/tcp-proxy'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { Strategy } from '@sluice/contract'

// 25 ms each way: one round trip costs >= 50 ms, so 100 queries sent one per round trip would
// take >= 5 s. A pipelined batch takes a handful of round trips; we allow 20 (1 s), a margin
// wide enough never to flake and still 5x under what unpipelined execution would cost.
const ONE_WAY_DELAY_MS = 25
const ROUND_TRIP_MS = 2 * ONE_WAY_DELAY_MS
const ALLOWED_ROUND_TRIPS = 20

let fx: PipelineFixture
let proxy: TcpProxy
let proxiedUrl: string

beforeAll(async () => {
  fx = await createPipelineFixture('pipelining')
  await fx.schema.pool.query('CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)')
  proxy = await startTcpProxy({
    target: fx.schema.url,
    faults: { toServerDelayMs: ONE_WAY_DELAY_MS, toClientDelayMs: ONE_WAY_DELAY_MS },
  })
  proxiedUrl = throughProxy(fx.schema.url, proxy)
})

afterAll(async () => {
  await fx.dispose()
  await proxy.close()
})

/** Runs 100 queries as one batch through the proxy and returns how long they took. */
async function timeBatchOf100(
  strategy: Strategy,
  query: (i: number) => [string, unknown[]],
): Promise<number> {
  const pipeline = fx.open({
    connection: proxiedUrl,
    strategy,
    batchSize: 100,
    flushIntervalMs: 10_000,
    maxConnections: 1,
    optimize: false,
  })
  // Open the connection first: connecting and authenticating cost round trips of their own.
  await pipeline.addQuery('SELECT 1 AS one')
  expect((await pipeline.flush()).map((result) => result.success)).toEqual([true])
  const started = performance.now()
  const accepted = []
  for (let i = 0; i < 100; i++) accepted.push(await pipeline.addQuery(...query(i)))
  const results = await Promise.all(accepted.map((handle) => handle.result))
  const elapsed = performance.now() - started
  expect(results.every((result) => result.success)).toBe(true)
  expect(new Set(results.map((result) => result.batchId)).size).toBe(1)
  await pipeline.close()
  console.info(
    `${strategy}: 100 queries in ${elapsed.toFixed(0)} ms through a ${ROUND_TRIP_MS} ms round trip`,
  )
  return elapsed
}

const insert =
  (offset: number) =>
  (i: number): [string, unknown[]] => [
    'INSERT INTO items (id, label) VALUES ($1, $2)',
    [offset + i, `item ${i}`],
  ]

describe('protocol pipelining through a proxy adding 25 ms each way', () => {
  test('the proxy really delays: queries awaited one by one cost a round trip each', async () => {
    const pipeline = fx.open({
      connection: proxiedUrl,
      batchSize: 1,
      flushIntervalMs: 0,
      maxConnections: 1,
      optimize: false,
    })
    await pipeline.query('SELECT 1')
    const started = performance.now()
    for (let i = 0; i < 5; i++)
      expect((await pipeline.query('SELECT $1::int AS n', [i])).success).toBe(true)
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 * ROUND_TRIP_MS)
    await pipeline.close()
  })

  // Reads: 100 autocommit writes would also wait for 100 WAL flushes, which says nothing about
  // round trips and could be slow on a busy disk.
  test('a best_effort batch of 100 reads takes a few round trips, not 100', async () => {
    const elapsed = await timeBatchOf100('best_effort', (i) => ['SELECT $1::int AS n', [i]])
    expect(elapsed).toBeLessThan(ALLOWED_ROUND_TRIPS * ROUND_TRIP_MS)
  })

  test('a transactional batch of 100 inserts is one BEGIN…COMMIT round trip', async () => {
    const elapsed = await timeBatchOf100('transactional', insert(1000))
    expect(
      await fx.count('SELECT count(*)::int AS count FROM items WHERE id >= 1000 AND id < 1100'),
    ).toBe(100)
    expect(elapsed).toBeLessThan(ALLOWED_ROUND_TRIPS * ROUND_TRIP_MS)
  })

  test('a sequential batch of 100 transaction-safe inserts is pipelined too', async () => {
    const elapsed = await timeBatchOf100('sequential', insert(2000))
    expect(elapsed).toBeLessThan(ALLOWED_ROUND_TRIPS * ROUND_TRIP_MS)
  })
})
