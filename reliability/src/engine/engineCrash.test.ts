import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { longRun, reportFigures } from '../testing/figures'
import { ingest, resultsOf } from '../testing/ingestClient'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger } from '../testing/ledger'
import { runIngestLoad } from '../testing/loadDriver'
import { sleep } from '../testing/timing'

/*
 * The engine killed outright (SIGKILL: no drain, no goodbye) in the middle of a sustained
 * ingest, on two pipelines (best_effort singles, transactional groups). What the engine said
 * succeeded must be in the table exactly once; what it refused must not be; a group is all or
 * nothing; the engine restarts on the same database with its pipelines and keeps working.
 */

const insert = 'INSERT INTO events (key, grp) VALUES ($1, $2)'

describe('engine SIGKILL mid-ingest', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('crash')
    await createKeyTable(fixture.db.pool, 'events')
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('keeps every acknowledged query exactly once, and restarts with its pipelines', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'ingest', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10,
    })
    await mustPutPipeline(base, 'ingest_tx', {
      strategy: 'transactional',
      batchSize: 50,
      flushIntervalMs: 10,
    })

    const ledger = new Ledger()
    let killed = false
    const common = {
      ledger,
      stop: () => killed,
      maxRequests: 100_000,
      timeoutMs: 20_000,
      pauseAfterRefusalMs: 50,
    }
    const singles = runIngestLoad({
      ...common,
      baseUrl: base,
      pipeline: 'ingest',
      workers: 6,
      queriesPerRequest: 10,
      keyPrefix: 'single',
      makeQuery: (key, requestId) => ({ sql: insert, params: [key, requestId] }),
    })
    const groups = runIngestLoad({
      ...common,
      baseUrl: base,
      pipeline: 'ingest_tx',
      workers: 2,
      queriesPerRequest: 5,
      group: true,
      keyPrefix: 'group',
      makeQuery: (key, requestId) => ({ sql: insert, params: [key, requestId] }),
    })
    await sleep(longRun ? 8_000 : 1_500)
    const exit = await fixture.engine.stop('SIGKILL')
    killed = true
    const [singleStats, groupStats] = await Promise.all([singles, groups])
    const acknowledged = ledger.keys('succeeded').length

    // Same database, same port: the pipelines come back and take queries again.
    const restarted = await fixture.restart()
    const listed = await getFromEngine(restarted.baseUrl, '/v1/pipelines/ingest')
    let afterDone = false
    const after = runIngestLoad({
      ledger,
      baseUrl: restarted.baseUrl,
      pipeline: 'ingest',
      workers: 2,
      queriesPerRequest: 10,
      keyPrefix: 'after',
      stop: () => afterDone,
      maxRequests: 400,
      timeoutMs: 20_000,
      makeQuery: (key, requestId) => ({ sql: insert, params: [key, requestId] }),
    })
    await sleep(1_000)
    afterDone = true
    const afterStats = await after
    const afterKeys = ledger.keys().filter((key) => key.startsWith('after-'))
    const afterOk = afterKeys.filter((key) => ledger.outcomeOf(key) === 'succeeded').length

    const verdict = ledger.verify(await rowsPerKey(fixture.db.pool, 'events'))
    const { rows: partial } = await fixture.db.pool.query<{ grp: string; n: string }>(
      "SELECT grp, count(*) AS n FROM events WHERE key LIKE 'group-%' GROUP BY grp HAVING count(*) <> 5",
    )
    reportFigures('engine SIGKILL', {
      requests: singleStats.requests + groupStats.requests,
      queriesSent: singleStats.queries + groupStats.queries,
      acknowledgedBeforeKill: acknowledged,
      noAnswer: verdict.byOutcome['no-answer'],
      refused: verdict.byOutcome.rejected,
      failed: verdict.byOutcome.failed,
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      phantom: verdict.phantom.length,
      halfAppliedGroups: partial.length,
      afterRestart: `${afterOk}/${afterKeys.length}`,
      afterRequests: afterStats.requests,
    })

    expect(exit.signal).toBe('SIGKILL')
    expect(acknowledged, 'the load ran long enough to mean something').toBeGreaterThan(100)
    expect(
      singleStats.mismatched + groupStats.mismatched + afterStats.mismatched,
      'results handed to the wrong query',
    ).toBe(0)
    expect(verdict.lost, 'acknowledged as succeeded, not in the table').toEqual([])
    expect(verdict.duplicated, 'applied twice').toEqual([])
    expect(verdict.phantom, 'said failed or refused, yet applied').toEqual([])
    expect(verdict.unknownKeys).toEqual([])
    expect(partial, 'transactional groups applied in part').toEqual([])
    expect(listed.status, 'the pipeline config survived the crash').toBe(200)
    expect(afterKeys.length).toBeGreaterThan(0)
    expect(afterOk, 'the restarted engine keeps working').toBe(afterKeys.length)
  })

  it('keeps every failure it answered with a failureId through a SIGKILL', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'doomed_writes', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 5,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    })
    const answered = new Map<string, string>()
    let killed = false
    const worker = async (w: number): Promise<void> => {
      for (let r = 0; !killed && r < 10_000; r += 1) {
        const queries = Array.from({ length: 10 }, (_, i) => ({
          sql: 'INSERT INTO no_such_table (key) VALUES ($1)',
          params: [`f${w}-${r}-${i}`],
          callbackId: `f${w}-${r}-${i}`,
        }))
        const answer = await ingest(base, 'doomed_writes', queries, { timeoutMs: 10_000 })
        for (const result of resultsOf(answer) ?? []) {
          if (result.callbackId && result.failureId)
            answered.set(result.callbackId, result.failureId)
        }
      }
    }
    const workers = Promise.all(Array.from({ length: 4 }, (_, w) => worker(w)))
    await sleep(1_000)
    await fixture.engine.stop('SIGKILL')
    killed = true
    await workers
    const restarted = await fixture.restart()
    const { rows } = await fixture.db.pool.query<{ id: string; callback_id: string }>(
      "SELECT id::text AS id, callback_id FROM sluice.failed_queries WHERE pipeline = 'doomed_writes'",
    )
    const stored = new Map(rows.map((row) => [row.callback_id, row.id]))
    const missing = [...answered].filter(([key, id]) => stored.get(key) !== id)
    reportFigures('failures through SIGKILL', {
      answeredWithFailureId: answered.size,
      inStoreAfterRestart: answered.size - missing.length,
      stored: rows.length,
    })
    expect(answered.size, 'failures were answered before the kill').toBeGreaterThan(50)
    expect(missing, 'answered with a failureId, gone after the crash').toEqual([])
    expect((await getFromEngine(restarted.baseUrl, '/healthz')).status).toBe(200)
  })

  it('while restarting, never answers that a known pipeline does not exist', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'early_bird', {
      strategy: 'best_effort',
      batchSize: 10,
      flushIntervalMs: 5,
    })
    await fixture.engine.stop('SIGKILL')
    // Knock from the moment the port opens: a 404 here would tell a client (or a deploy script)
    // that its pipeline is gone, when it is only not loaded yet.
    const seen = new Map<number, number>()
    const state = { done: false }
    const knocking = (async () => {
      while (!state.done) {
        const answer = await ingest(base, 'early_bird', [{ sql: 'SELECT 1' }], { timeoutMs: 5_000 })
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1)
        if (answer.status === 200) return
        await sleep(answer.status === 0 ? 10 : 2)
      }
    })()
    await fixture.restart()
    await Promise.race([knocking, sleep(10_000)])
    state.done = true
    await knocking
    reportFigures('ingest during restart', {
      answers: [...seen].map(([status, count]) => `${status}x${count}`).join(','),
    })
    expect(seen.get(404) ?? 0, 'answered 404 for a pipeline that exists').toBe(0)
    expect(seen.get(200), 'served once ready').toBe(1)
  })

  it('on SIGTERM answers the requests it accepted, refuses new ones, and exits 0', async () => {
    const base = fixture.engine.baseUrl
    // A long flush interval keeps requests waiting in the queue when the signal comes.
    await mustPutPipeline(base, 'slow_flush', {
      strategy: 'best_effort',
      batchSize: 10_000,
      flushIntervalMs: 2_000,
    })
    await fixture.db.pool.query('CREATE TABLE drained (key text NOT NULL)')
    const sql = 'INSERT INTO drained (key) VALUES ($1)'
    const inFlight = Array.from({ length: 4 }, (_, r) =>
      ingest(
        base,
        'slow_flush',
        Array.from({ length: 10 }, (_, i) => ({
          sql,
          params: [`r${r}-${i}`],
          callbackId: `r${r}-${i}`,
        })),
      ),
    )
    await sleep(500)
    const stopping = fixture.engine.stop('SIGTERM', 20_000)
    await sleep(100)
    const late = await ingest(base, 'slow_flush', [{ sql, params: ['late'] }], { timeoutMs: 5_000 })
    const answers = await Promise.all(inFlight)
    const exit = await stopping
    const { rows } = await fixture.db.pool.query<{ key: string }>(
      'SELECT key FROM drained ORDER BY key',
    )
    const statuses = answers.flatMap((a) => (resultsOf(a) ?? []).map((r) => r.status))
    reportFigures('engine SIGTERM drain', {
      inFlightRequests: answers.length,
      answered200: answers.filter((a) => a.status === 200).length,
      succeeded: statuses.filter((s) => s === 'succeeded').length,
      lateStatus: late.status,
      exitCode: String(exit.code),
      rows: rows.length,
    })
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200])
    expect(statuses).toEqual(Array.from({ length: 40 }, () => 'succeeded'))
    expect(rows.length).toBe(40)
    expect(
      rows.some((r) => r.key === 'late'),
      'a request after SIGTERM must not run',
    ).toBe(false)
    expect([0, 503], `late request answered ${late.status}`).toContain(late.status)
    expect(exit.code).toBe(0)
    // Leave a running engine for afterAll.
    await fixture.restart()
  })
})
