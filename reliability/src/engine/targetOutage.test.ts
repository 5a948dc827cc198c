import { startTcpProxy, throughProxy, type TcpProxy } from '@sluice/tcp-proxy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mustPutPipeline } from '../testing/engineApi'
import { launchEngine, type EngineProcess } from '../testing/engineProcess'
import { reportFigures } from '../testing/figures'
import { ingest, resultsOf } from '../testing/ingestClient'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { sleep } from '../testing/timing'

/*
 * A target goes down (every connection reset, new ones refused) while requests wait on it, and
 * the engine is then told to stop. It must answer every accepted request (failed: the target is
 * unreachable), record each failure in its own store (its own database is up), run nothing, and
 * exit 0 in bounded time, not wait forever for a database that is gone. Started again while the
 * target is still down, it comes up and fails those queries at once; when the target comes back,
 * it uses it again without a restart.
 */

const insert = 'INSERT INTO events (key) VALUES ($1)'

describe('target outage, then shutdown', () => {
  let db: TestDatabase
  let proxy: TcpProxy
  let engine: EngineProcess
  let env: Record<string, string>
  beforeAll(async () => {
    db = await createTestDatabase('target_outage')
    await createKeyTable(db.pool, 'events')
    proxy = await startTcpProxy({ target: db.url })
    const proxied = throughProxy(db.url, proxy)
    env = { DATABASE_URL: db.url, SLUICE_TARGETS: JSON.stringify({ remote: proxied }) }
    engine = await launchEngine({ env })
  })
  afterAll(async () => {
    await engine.stop('SIGKILL')
    await proxy.close()
    await db.drop()
  })

  it('answers, records, runs nothing and exits 0 when stopped during an outage; recovers after', async () => {
    const retry = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 1_000 }
    await mustPutPipeline(engine.baseUrl, 'remote_writes', {
      target: 'remote',
      strategy: 'best_effort',
      batchSize: 20,
      flushIntervalMs: 5,
      retry,
    })
    const warm = await ingest(engine.baseUrl, 'remote_writes', [{ sql: insert, params: ['warm'] }])
    expect(resultsOf(warm)?.[0]?.status).toBe('succeeded')

    proxy.set({ refuseNew: true })
    proxy.cutAll()
    const requests = Array.from({ length: 5 }, (_, r) =>
      ingest(
        engine.baseUrl,
        'remote_writes',
        Array.from({ length: 10 }, (_, i) => ({
          sql: insert,
          params: [`down-${r}-${i}`],
          callbackId: `down-${r}-${i}`,
        })),
        { timeoutMs: 60_000 },
      ),
    )
    await sleep(300)
    const stopStarted = performance.now()
    const exit = await engine.stop('SIGTERM', 60_000)
    const stopMs = performance.now() - stopStarted
    const answers = await Promise.all(requests)
    const results = answers.flatMap((a) => resultsOf(a) ?? [])
    const counts = await rowsPerKey(db.pool, 'events')
    const applied = [...counts.keys()].filter((key) => key.startsWith('down-'))
    const { rows: stored } = await db.pool.query<{ callback_id: string }>(
      "SELECT callback_id FROM sluice.failed_queries WHERE callback_id LIKE 'down-%'",
    )

    // Started again while the target is still down: it comes up, and answers at once.
    engine = await launchEngine({ env })
    const whileDown = await ingest(
      engine.baseUrl,
      'remote_writes',
      [{ sql: insert, params: ['still-down'] }],
      {
        timeoutMs: 30_000,
      },
    )
    proxy.set({ refuseNew: false })
    const back = await ingest(engine.baseUrl, 'remote_writes', [{ sql: insert, params: ['back'] }])
    reportFigures('target outage then SIGTERM', {
      requests: answers.length,
      statuses: answers.map((a) => a.status).join(','),
      failedResults: results.filter((r) => r.status === 'failed').length,
      inFailureStore: stored.length,
      applied: applied.length,
      exitCode: String(exit.code),
      stopMs,
      startedWhileDown: resultsOf(whileDown)?.[0]?.status ?? String(whileDown.status),
      afterRecovery: resultsOf(back)?.[0]?.status ?? String(back.status),
    })
    expect(
      answers.map((a) => a.status),
      'every accepted request answered',
    ).toEqual(answers.map(() => 200))
    expect(results.map((r) => r.status)).toEqual(results.map(() => 'failed'))
    expect(results.length).toBe(50)
    expect(applied, 'nothing ran while the target was down').toEqual([])
    expect(stored.length, 'each failure is in the store').toBe(50)
    expect(exit.code).toBe(0)
    expect(stopMs, 'shutdown is bounded by the retry budget').toBeLessThan(20_000)
    expect(resultsOf(whileDown)?.[0]?.status, 'started with the target down: the query fails').toBe(
      'failed',
    )
    expect(resultsOf(back)?.[0]?.status, 'the target is used again once back, no restart').toBe(
      'succeeded',
    )
  })
})
