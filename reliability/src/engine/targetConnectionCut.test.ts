import { startTcpProxy, throughProxy, type TcpProxy } from '@sluice/tcp-proxy'
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
 * The network between the engine and a target breaks again and again during ingest: a proxy in
 * front of the target resets every connection every 300 ms. Through HTTP, the ledger must hold
 * (answers lost on the wire come back as outcome-unknown, never as a plain failure of something
 * that ran), and every query the engine answered as not succeeded must already be in the
 * failures store, under its callbackId, marked outcome-unknown when it is.
 */

const insert = 'INSERT INTO events (key, grp) VALUES ($1, $2)'

describe('connections to a target cut during ingest', () => {
  let db: TestDatabase
  let proxy: TcpProxy
  let engine: EngineProcess
  beforeAll(async () => {
    db = await createTestDatabase('target_cut')
    await createKeyTable(db.pool, 'events')
    proxy = await startTcpProxy({ target: db.url })
    const proxied = throughProxy(db.url, proxy)
    engine = await launchEngine({
      env: { DATABASE_URL: db.url, SLUICE_TARGETS: JSON.stringify({ flaky: proxied }) },
    })
  })
  afterAll(async () => {
    await engine.stop('SIGTERM')
    await proxy.close()
    await db.drop()
  })

  it('keeps the ledger and records every non-success in the failures store', async () => {
    const base = engine.baseUrl
    const retry = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 200 }
    await mustPutPipeline(base, 'flaky_singles', {
      target: 'flaky',
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 5,
      retry,
    })
    await mustPutPipeline(base, 'flaky_groups', {
      target: 'flaky',
      strategy: 'transactional',
      batchSize: 50,
      flushIntervalMs: 5,
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
    }
    const loads = Promise.all([
      runIngestLoad({
        ...common,
        pipeline: 'flaky_singles',
        workers: 4,
        queriesPerRequest: 10,
        keyPrefix: 'single',
        makeQuery: (key, r) => ({ sql: insert, params: [key, r] }),
      }),
      runIngestLoad({
        ...common,
        pipeline: 'flaky_groups',
        workers: 2,
        queriesPerRequest: 5,
        group: true,
        keyPrefix: 'group',
        makeQuery: (key, r) => ({ sql: insert, params: [key, r] }),
      }),
    ])
    const flowing = Date.now() + 20_000
    while (ledger.keys('succeeded').length < 100 && Date.now() < flowing) await sleep(20)
    let cut = 0
    const until = Date.now() + (longRun ? 20_000 : 2_500)
    while (Date.now() < until) {
      await sleep(300)
      cut += proxy.cutAll()
    }
    done = true
    const [singles, groups] = await loads

    const counts = await rowsPerKey(db.pool, 'events')
    const verdict = ledger.verify(counts)
    const { rows: partial } = await db.pool.query(
      "SELECT grp FROM events WHERE key LIKE 'group-%' GROUP BY grp HAVING count(*) <> 5",
    )
    const notSucceeded = [
      ...ledger.keys('failed'),
      ...ledger.keys('outcome-unknown'),
      ...ledger.keys('rolled_back'),
      ...ledger.keys('skipped'),
    ]
    const { rows: stored } = await db.pool.query<{ callback_id: string; outcome_unknown: boolean }>(
      'SELECT callback_id, outcome_unknown FROM sluice.failed_queries WHERE callback_id = ANY($1)',
      [notSucceeded],
    )
    // And the other way round: nothing in the store for a query that was answered succeeded.
    const { rows: allStored } = await db.pool.query<{
      callback_id: string | null
      outcome: string
      error_message: string
    }>(
      "SELECT callback_id, outcome, error_message FROM sluice.failed_queries WHERE pipeline LIKE 'flaky_%'",
    )
    const storedButSucceeded = allStored.filter(
      (row) => row.callback_id !== null && ledger.outcomeOf(row.callback_id) === 'succeeded',
    )
    const storedKeys = new Set(stored.map((row) => row.callback_id))
    const missingFromStore = notSucceeded.filter((key) => !storedKeys.has(key))
    const unknownNotMarked = stored.filter(
      (row) => ledger.outcomeOf(row.callback_id) === 'outcome-unknown' && !row.outcome_unknown,
    )
    reportFigures('target connections cut under the engine', {
      cut,
      requests: singles.requests + groups.requests,
      succeeded: verdict.byOutcome.succeeded,
      failed: verdict.byOutcome.failed,
      rolledBack: verdict.byOutcome.rolled_back,
      outcomeUnknown: verdict.byOutcome['outcome-unknown'],
      noAnswer: verdict.byOutcome['no-answer'],
      inFailureStore: `${notSucceeded.length - missingFromStore.length}/${notSucceeded.length}`,
      storeRows: allStored.length,
      storedButSucceeded: storedButSucceeded.length,
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      phantom: verdict.phantom.length,
      halfAppliedGroups: partial.length,
    })
    expect(cut, 'the cuts hit open connections').toBeGreaterThan(0)
    expect(verdict.byOutcome['no-answer'], 'every request answered').toBe(0)
    expect(singles.mismatched + groups.mismatched).toBe(0)
    expect(verdict.lost).toEqual([])
    expect(verdict.duplicated).toEqual([])
    expect(verdict.phantom, 'answered failed, yet applied').toEqual([])
    expect(partial).toEqual([])
    expect(missingFromStore, 'answered as not succeeded, missing from the failures store').toEqual(
      [],
    )
    expect(unknownNotMarked, 'outcome-unknown not marked as such in the store').toEqual([])
    expect(
      storedButSucceeded
        .slice(0, 5)
        .map((row) => `${row.callback_id ?? ''}: ${row.outcome} ${row.error_message}`),
      'in the failures store, yet answered succeeded',
    ).toEqual([])

    // The operator's "retry all" after the incident must not re-run what may have applied.
    const retried = await Promise.all(
      ['flaky_singles', 'flaky_groups'].map((pipeline) =>
        trpcCall(engine.baseUrl, 'failures.retryAll', { pipeline }, { mutation: true }),
      ),
    )
    const afterRetry = await rowsPerKey(db.pool, 'events')
    const twiceAfterRetry = [...afterRetry].filter(([, n]) => n > 1).map(([key]) => key)
    const report = retried.map(
      (r) => r.data as { matched: number; resolved: number; notRetried: number },
    )
    const { rows: perPipeline } = await db.pool.query<{ pipeline: string; n: string }>(
      "SELECT pipeline, count(*) AS n FROM sluice.failed_queries WHERE pipeline LIKE 'flaky_%' GROUP BY pipeline ORDER BY pipeline",
    )
    console.log(
      `[reliability] debug: ${JSON.stringify(report)} store ${JSON.stringify(perPipeline)}`,
    )
    reportFigures('retry all after the cuts', {
      matched: report.reduce((a, r) => a + r.matched, 0),
      resolved: report.reduce((a, r) => a + r.resolved, 0),
      notRetried: report.reduce((a, r) => a + r.notRetried, 0),
      appliedTwice: twiceAfterRetry.length,
    })
    expect(retried.map((r) => r.status)).toEqual([200, 200])
    expect(twiceAfterRetry, 'retry all re-ran a write whose outcome was unknown').toEqual([])
  })
})
