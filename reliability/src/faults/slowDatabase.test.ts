import { QueryPipeline, type QueryResult, type Strategy } from '@sluice/pipeline-core'
import { startTcpProxy, throughProxy, type TcpProxy } from '@sluice/tcp-proxy'
import { createTestSchema, type TestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { percentile } from '../testing/loadDriver'
import { sleep } from '../testing/timing'

/*
 * A slow database: a proxy adding latency each way, and statements that sleep. The flush
 * interval must keep holding (a query waits about flushIntervalMs plus round trips, whatever the
 * latency), a slow batch must not stall the queries behind it (several batches in flight), and a
 * statement timeout must fail only the statement that ran too long.
 */

describe('slow database', () => {
  let schema: TestSchema
  let proxy: TcpProxy
  let proxiedUrl: string
  beforeAll(async () => {
    schema = await createTestSchema('slow_db')
    proxy = await startTcpProxy({ target: schema.url })
    proxiedUrl = throughProxy(schema.url, proxy)
  })
  afterAll(async () => {
    await proxy.close()
    await schema.drop()
  })

  it('keeps the flush interval: a lone query waits about flushIntervalMs plus a round trip, a trickle is batched', async () => {
    const delayMs = 40
    const flushIntervalMs = 30
    const roundTripMs = 2 * delayMs
    proxy.set({ toServerDelayMs: delayMs, toClientDelayMs: delayMs })
    await createKeyTable(schema.pool, 'trickle')
    const pipeline = new QueryPipeline({
      name: 'slow-trickle',
      connection: proxiedUrl,
      strategy: 'best_effort',
      batchSize: 10_000,
      flushIntervalMs,
      retainResults: false,
    })
    // Warm the pool so connection set-up (several round trips) is not counted.
    await (
      await pipeline.addQuery('SELECT 1')
    ).result
    let n = 0
    const insert = async (): Promise<QueryResult> =>
      (await pipeline.addQuery('INSERT INTO trickle (key) VALUES ($1)', [`trickle-${n++}`])).result

    // Lone queries on an idle pipeline: only the interval timer can send them.
    const lone: number[] = []
    for (let i = 0; i < 12; i += 1) {
      const started = performance.now()
      expect((await insert()).status).toBe('succeeded')
      lone.push(performance.now() - started)
    }

    // A trickle, one query every 5 ms: batched by the interval, far fewer batches than queries.
    const batchesBefore = pipeline.getStatus().totalBatches
    const pending: Promise<QueryResult>[] = []
    const trickleStarted = Date.now()
    while (Date.now() - trickleStarted < 1_500) {
      pending.push(insert())
      await sleep(5)
    }
    const results = await Promise.all(pending)
    const batches = pipeline.getStatus().totalBatches - batchesBefore
    await pipeline.close()
    proxy.set({ toServerDelayMs: 0, toClientDelayMs: 0 })
    reportFigures('slow database, flush interval', {
      roundTripMs,
      flushIntervalMs,
      loneP50Ms: percentile(lone, 50),
      loneMaxMs: Math.max(...lone),
      trickleQueries: results.length,
      trickleBatches: batches,
    })
    expect(results.every((r) => r.status === 'succeeded')).toBe(true)
    const counts = await rowsPerKey(schema.pool, 'trickle')
    expect(counts.size).toBe(n)
    expect([...counts.values()].every((c) => c === 1)).toBe(true)
    expect(batches, 'the interval batches the trickle').toBeLessThan(results.length / 2)
    // Interval + one round trip for the batch (two if it waits for a connection), with margin
    // for a busy CI machine; a timer that never fires would leave a lone query waiting forever.
    expect(percentile(lone, 50)).toBeLessThan(flushIntervalMs + 2 * roundTripMs + 250)
    expect(Math.max(...lone)).toBeLessThan(flushIntervalMs + 4 * roundTripMs + 1_000)
  })

  for (const strategy of ['best_effort', 'parallel'] satisfies Strategy[]) {
    it(`${strategy}: a slow batch does not stall the queries queued behind it`, async () => {
      proxy.set({ toServerDelayMs: 10, toClientDelayMs: 10 })
      const pipeline = new QueryPipeline({
        name: `slow-batch-${strategy}`,
        connection: proxiedUrl,
        strategy,
        batchSize: 5,
        flushIntervalMs: 10,
        maxConnections: 4,
        maxInFlightBatches: 3,
      })
      const slowStarted = performance.now()
      const slow = (await pipeline.addQuery('SELECT pg_sleep(2) AS slept')).result.then((r) => ({
        r,
        ms: performance.now() - slowStarted,
      }))
      await sleep(100)
      const quickStarted = performance.now()
      const quick = await Promise.all(
        Array.from(
          { length: 10 },
          async (_, i) => (await pipeline.addQuery('SELECT $1::int AS i', [i])).result,
        ),
      )
      const quickMs = performance.now() - quickStarted
      const slowDone = await slow
      await pipeline.close()
      proxy.set({ toServerDelayMs: 0, toClientDelayMs: 0 })
      reportFigures(`slow database, slow batch, ${strategy}`, {
        slowBatchMs: slowDone.ms,
        quickQueriesMs: quickMs,
      })
      expect(slowDone.r.status).toBe('succeeded')
      expect(quick.map((r) => r.rows[0])).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })))
      expect(quickMs).toBeLessThan(1_200)
    })

    it(`${strategy}: a statement timeout fails only the statement that ran too long`, async () => {
      const table = `timeouts_${strategy}`
      await createKeyTable(schema.pool, table)
      const pipeline = new QueryPipeline({
        name: `statement-timeout-${strategy}`,
        connection: { connectionString: schema.url, statement_timeout: 300 },
        strategy,
        batchSize: 21,
        flushIntervalMs: 1_000,
        retry: { maxAttempts: 3, baseDelayMs: 10 },
      })
      const handles = []
      for (let i = 0; i < 21; i += 1) {
        if (i === 10)
          handles.push(
            await pipeline.addQuery('SELECT pg_sleep(1.5)', [], { callbackId: 'sleeper' }),
          )
        else
          handles.push(
            await pipeline.addQuery(`INSERT INTO ${table} (key) VALUES ($1)`, [`k${i}`], {
              callbackId: `k${i}`,
            }),
          )
      }
      const results = await Promise.all(handles.map((h) => h.result))
      await pipeline.close()
      const sleeper = results.find((r) => r.callbackId === 'sleeper')
      const others = results.filter((r) => r.callbackId !== 'sleeper')
      const counts = await rowsPerKey(schema.pool, table)
      reportFigures(`slow database, statement timeout, ${strategy}`, {
        timedOut: sleeper?.status ?? 'none',
        code: sleeper?.error?.code ?? 'none',
        othersSucceeded: others.filter((r) => r.status === 'succeeded').length,
        rowsApplied: [...counts.values()].reduce((a, b) => a + b, 0),
      })
      expect(sleeper?.status).toBe('failed')
      expect(sleeper?.error?.code).toBe('57014')
      expect(others.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 'succeeded'))
      expect(counts.size).toBe(20)
      expect([...counts.values()].every((c) => c === 1)).toBe(true)
    })
  }
})
