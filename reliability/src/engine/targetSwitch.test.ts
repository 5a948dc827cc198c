import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mustPutPipeline, trpcCall } from '../testing/engineApi'
import { launchEngine, type EngineProcess } from '../testing/engineProcess'
import { longRun, reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger } from '../testing/ledger'
import { runIngestLoad } from '../testing/loadDriver'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { sleep } from '../testing/timing'

/*
 * A pipeline moved from one target to another while it takes load (the engine drains the old
 * one first). Both targets are the same database under two names, so one table sees every
 * write: nothing may be lost, run twice, or run after being refused.
 */

describe('switching a pipeline between targets under load', () => {
  let db: TestDatabase
  let engine: EngineProcess
  beforeAll(async () => {
    db = await createTestDatabase('target_switch')
    await createKeyTable(db.pool, 'events')
    const second = new URL(db.url)
    second.searchParams.set('application_name', 'second_name')
    engine = await launchEngine({
      env: {
        DATABASE_URL: db.url,
        SLUICE_TARGETS: JSON.stringify({ first: db.url, second: second.toString() }),
      },
    })
  })
  afterAll(async () => {
    await engine.stop('SIGTERM')
    await db.drop()
  })

  it('keeps the ledger across target switches', async () => {
    const base = engine.baseUrl
    await mustPutPipeline(base, 'moving', {
      target: 'first',
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10,
    })
    const ledger = new Ledger()
    let done = false
    const load = runIngestLoad({
      ledger,
      baseUrl: base,
      pipeline: 'moving',
      workers: 4,
      queriesPerRequest: 10,
      keyPrefix: 'moving',
      stop: () => done,
      maxRequests: 100_000,
      timeoutMs: 30_000,
      makeQuery: (key, requestId) => ({
        sql: 'INSERT INTO events (key, grp) VALUES ($1, $2)',
        params: [key, requestId],
      }),
    })
    let switches = 0
    const until = Date.now() + (longRun ? 15_000 : 2_500)
    while (Date.now() < until) {
      await sleep(250)
      const target = switches % 2 === 0 ? 'second' : 'first'
      const answer = await trpcCall(
        base,
        'pipelines.update',
        { name: 'moving', config: { target } },
        { mutation: true },
      )
      expect(answer.status, answer.text.slice(0, 300)).toBe(200)
      switches += 1
    }
    done = true
    const stats = await load
    const verdict = ledger.verify(await rowsPerKey(db.pool, 'events'))
    reportFigures('target switches under load', {
      switches,
      requests: stats.requests,
      byStatus: Object.entries(stats.byStatus)
        .map(([s, n]) => `${s}x${n}`)
        .join(','),
      succeeded: verdict.byOutcome.succeeded,
      refused: verdict.byOutcome.rejected,
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      phantom: verdict.phantom.length,
    })
    expect(verdict.byOutcome['no-answer'], 'every request answered').toBe(0)
    expect(stats.mismatched).toBe(0)
    expect(verdict.lost).toEqual([])
    expect(verdict.duplicated).toEqual([])
    expect(verdict.phantom).toEqual([])
    expect(verdict.byOutcome.succeeded).toBeGreaterThan(50)
  })
})
