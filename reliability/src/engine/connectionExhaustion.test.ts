import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline } from '../testing/engineApi'
import { launchEngine, type EngineProcess } from '../testing/engineProcess'
import { reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger } from '../testing/ledger'
import { runIngestLoad, type IngestLoadStats } from '../testing/loadDriver'
import { startPrivatePostgres, type PrivatePostgres } from '../testing/privatePostgres'

/*
 * More pipelines than the database has connections for: 24 pipelines of 4 connections each
 * against a server that allows 40 (53300 "too many clients" is a transient error). All pipelines
 * take load at once. The engine must stay up, answer every request, keep the ledger (what
 * failed did not run), and recover once the load is gone.
 */

const pipelines = 24

describe('more connections wanted than the database allows', () => {
  let server: PrivatePostgres
  let engine: EngineProcess
  let pool: pg.Pool
  beforeAll(async () => {
    server = await startPrivatePostgres({ maxConnections: 40 })
    const url = await server.createDatabase('crowded')
    // The checking connection is opened now and kept (no idle timeout): once the engine fills
    // the server, a new connection would be refused with 53300 like everyone else's.
    pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 0 })
    pool.on('error', () => undefined)
    await createKeyTable(pool, 'events')
    engine = await launchEngine({ env: { DATABASE_URL: url } })
  })
  afterAll(async () => {
    await engine.stop('SIGTERM')
    await pool.end()
    await server.destroy()
  })

  it('stays up, answers everything, keeps the ledger, and recovers', async () => {
    const base = engine.baseUrl
    for (let i = 0; i < pipelines; i += 1) {
      await mustPutPipeline(base, `crowd_${i}`, {
        strategy: i % 2 === 0 ? 'parallel' : 'best_effort',
        batchSize: 20,
        flushIntervalMs: 5,
        maxConnections: 4,
        retry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 500 },
      })
    }
    // The engine's own connections idle past pg's 10 s idle timeout before the crowd comes, as
    // they do on a loaded machine where the load alone outlasts it: /healthz must still find
    // its database (not ask for a new connection in a full server and answer 503).
    await new Promise((resolve) => setTimeout(resolve, 11_000))
    const ledger = new Ledger()
    const stats: IngestLoadStats[] = await Promise.all(
      Array.from({ length: pipelines }, (_, i) =>
        runIngestLoad({
          ledger,
          baseUrl: base,
          pipeline: `crowd_${i}`,
          workers: 3,
          queriesPerRequest: 20,
          keyPrefix: `crowd${i}`,
          stop: () => false,
          maxRequests: 15,
          timeoutMs: 60_000,
          makeQuery: (key, requestId) => ({
            sql: 'INSERT INTO events (key, grp) SELECT $1, $2 FROM pg_sleep(0.001)',
            params: [key, requestId],
          }),
        }),
      ),
    )
    const verdict = ledger.verify(await rowsPerKey(pool, 'events'))
    const health = await getFromEngine(base, '/healthz')
    const after = new Ledger()
    await runIngestLoad({
      ledger: after,
      baseUrl: base,
      pipeline: 'crowd_0',
      workers: 1,
      queriesPerRequest: 5,
      keyPrefix: 'after',
      stop: () => false,
      maxRequests: 3,
      makeQuery: (key, requestId) => ({
        sql: 'INSERT INTO events (key, grp) VALUES ($1, $2)',
        params: [key, requestId],
      }),
    })
    const failedKeys = [...ledger.keys('failed'), ...ledger.keys('outcome-unknown')]
    const { rows: stored } = await pool.query<{ callback_id: string; sqlstate: string | null }>(
      'SELECT callback_id, sqlstate FROM sluice.failed_queries WHERE callback_id = ANY($1)',
      [failedKeys],
    )
    const storedKeys = new Set(stored.map((row) => row.callback_id))
    const missingFromStore = failedKeys.filter((key) => !storedKeys.has(key))
    const sqlstates = new Map<string, number>()
    for (const row of stored)
      sqlstates.set(row.sqlstate ?? '-', (sqlstates.get(row.sqlstate ?? '-') ?? 0) + 1)
    const byStatus: Record<string, number> = {}
    for (const s of stats)
      for (const [code, n] of Object.entries(s.byStatus)) byStatus[code] = (byStatus[code] ?? 0) + n
    reportFigures('connection exhaustion', {
      pipelines,
      requests: stats.reduce((sum, s) => sum + s.requests, 0),
      byStatus: Object.entries(byStatus)
        .map(([s, n]) => `${s}x${n}`)
        .join(','),
      succeeded: verdict.byOutcome.succeeded,
      failed: verdict.byOutcome.failed,
      outcomeUnknown: verdict.byOutcome['outcome-unknown'],
      noAnswer: verdict.byOutcome['no-answer'],
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      phantom: verdict.phantom.length,
      afterRecovery: `${after.keys('succeeded').length}/${after.size}`,
      inFailureStore: `${failedKeys.length - missingFromStore.length}/${failedKeys.length}`,
      storedSqlstates: [...sqlstates].map(([c, n]) => `${c}x${n}`).join(',') || 'none',
    })
    expect(engine.rssBytes(), 'the engine is alive').toBeDefined()
    expect(health.status, JSON.stringify(health.body)).toBe(200)
    expect(verdict.byOutcome['no-answer'], 'every request answered').toBe(0)
    expect(verdict.lost).toEqual([])
    expect(verdict.duplicated).toEqual([])
    expect(verdict.phantom, 'failed, yet ran').toEqual([])
    expect(verdict.byOutcome.succeeded).toBeGreaterThan(0)
    expect(missingFromStore.length, 'answered failed, missing from the failures store').toBe(0)
    // A connect the server refused keeps its SQLSTATE (53300) instead of a bare CONNECTION_LOST.
    expect(sqlstates.get('53300') ?? 0, 'stored failures carrying 53300').toBeGreaterThan(0)
    expect(after.keys('succeeded').length, 'recovered once the crowd left').toBe(after.size)
  })
})
