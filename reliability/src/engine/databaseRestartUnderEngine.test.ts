import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline } from '../testing/engineApi'
import { launchEngine, type EngineProcess } from '../testing/engineProcess'
import { longRun, reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger } from '../testing/ledger'
import { runIngestLoad } from '../testing/loadDriver'
import { startPrivatePostgres, type PrivatePostgres } from '../testing/privatePostgres'
import { sleep } from '../testing/timing'
import pg from 'pg'

/*
 * The database restarts under a running engine (its own store and its pipelines' target are the
 * same private server) while clients keep ingesting through two pipelines. The engine must not
 * crash (an idle pooled connection dying must not become an unhandled error), what it said
 * succeeded must be there once, what it said failed must not, and it must work again afterwards
 * without a restart of its own.
 */

const insert = 'INSERT INTO events (key, grp) VALUES ($1, $2)'

describe('database restart under a running engine', () => {
  let server: PrivatePostgres
  let engine: EngineProcess
  let pool: pg.Pool
  beforeAll(async () => {
    server = await startPrivatePostgres()
    const url = await server.createDatabase('engine_db')
    pool = new pg.Pool({ connectionString: url, max: 2 })
    pool.on('error', () => undefined)
    await createKeyTable(pool, 'events')
    engine = await launchEngine({ env: { DATABASE_URL: url } })
  })
  afterAll(async () => {
    await engine.stop('SIGTERM')
    await pool.end()
    await server.destroy()
  })

  it('survives, keeps its promise, and recovers on its own', async () => {
    const base = engine.baseUrl
    const retry = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 }
    await mustPutPipeline(base, 'singles', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10,
      retry,
    })
    await mustPutPipeline(base, 'groups', {
      strategy: 'transactional',
      batchSize: 50,
      flushIntervalMs: 10,
      retry,
    })
    const ledger = new Ledger()
    let done = false
    const common = {
      ledger,
      baseUrl: base,
      stop: () => done,
      maxRequests: 100_000,
      timeoutMs: 30_000,
      pauseAfterRefusalMs: 50,
    }
    const loads = Promise.all([
      runIngestLoad({
        ...common,
        pipeline: 'singles',
        workers: 4,
        queriesPerRequest: 10,
        keyPrefix: 'single',
        makeQuery: (key, r) => ({ sql: insert, params: [key, r] }),
      }),
      runIngestLoad({
        ...common,
        pipeline: 'groups',
        workers: 2,
        queriesPerRequest: 5,
        group: true,
        keyPrefix: 'group',
        makeQuery: (key, r) => ({ sql: insert, params: [key, r] }),
      }),
    ])
    const cycles = longRun ? 3 : 1
    let terminated = 0
    for (let cycle = 0; cycle < cycles; cycle += 1) {
      await sleep(800)
      terminated += await server.terminateBackends('engine_db')
      await sleep(800)
      await server.restart(500)
    }
    await sleep(1_500)
    done = true
    const stats = await loads

    // Recovered without an engine restart: fresh queries succeed.
    const afterLedger = new Ledger()
    await runIngestLoad({
      ledger: afterLedger,
      baseUrl: base,
      pipeline: 'singles',
      workers: 1,
      queriesPerRequest: 10,
      keyPrefix: 'after',
      stop: () => false,
      maxRequests: 5,
      makeQuery: (key, r) => ({ sql: insert, params: [key, r] }),
    })
    const health = await getFromEngine(base, '/healthz')
    const counts = await rowsPerKey(pool, 'events')
    const verdict = ledger.verify(new Map([...counts].filter(([key]) => !key.startsWith('after-'))))
    const { rows: partial } = await pool.query(
      "SELECT grp FROM events WHERE key LIKE 'group-%' GROUP BY grp HAVING count(*) <> 5",
    )
    const [singleStats, groupStats] = stats
    reportFigures('database restart under the engine', {
      terminated,
      restarts: cycles,
      requests: singleStats.requests + groupStats.requests,
      // Both load streams (singles and groups), summed per HTTP status.
      byStatus: Object.entries(
        [singleStats.byStatus, groupStats.byStatus].reduce<Record<string, number>>((sum, b) => {
          for (const [code, n] of Object.entries(b)) sum[code] = (sum[code] ?? 0) + n
          return sum
        }, {}),
      )
        .map(([s, n]) => `${s}x${n}`)
        .join(','),
      succeeded: verdict.byOutcome.succeeded,
      failed: verdict.byOutcome.failed,
      rolledBack: verdict.byOutcome.rolled_back,
      outcomeUnknown: verdict.byOutcome['outcome-unknown'],
      refused: verdict.byOutcome.rejected,
      noAnswer: verdict.byOutcome['no-answer'],
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      phantom: verdict.phantom.length,
      halfAppliedGroups: partial.length,
      afterRecovery: `${afterLedger.keys('succeeded').length}/${afterLedger.size}`,
      healthz: health.status,
    })
    expect(engine.rssBytes(), 'the engine process is alive').toBeDefined()
    expect(verdict.byOutcome['no-answer'], 'every request got an answer').toBe(0)
    expect(singleStats.mismatched + groupStats.mismatched).toBe(0)
    expect(verdict.lost).toEqual([])
    expect(verdict.duplicated).toEqual([])
    expect(verdict.phantom).toEqual([])
    expect(partial).toEqual([])
    expect(verdict.byOutcome.succeeded).toBeGreaterThan(100)
    expect(afterLedger.keys('succeeded').length, 'the engine works again after the restart').toBe(
      afterLedger.size,
    )
    expect(health.status).toBe(200)
  })
})
