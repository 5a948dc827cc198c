import { QueryPipeline, type Strategy } from '@sluice/pipeline-core'
import { startTcpProxy, throughProxy, type TcpProxy } from '@sluice/tcp-proxy'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { longRun, reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger } from '../testing/ledger'
import { startPrivatePostgres, type PrivatePostgres } from '../testing/privatePostgres'
import { sleep, within } from '../testing/timing'
import { runPipelineLoad } from './pipelineLoad'

/*
 * Database faults straight under a QueryPipeline, per strategy: connections cut by a proxy (the
 * answers in flight are lost), every backend terminated, and the server restarted (fast
 * shutdown, a pause, start) while producers keep adding unique-key INSERTs. Runs on a private
 * PostgreSQL: the shared server is never restarted.
 */

const strategies: readonly Strategy[] = ['best_effort', 'parallel', 'sequential', 'transactional']
const groupSize = 5
const cycles = longRun ? 4 : 1

describe('database faults under load, per strategy', () => {
  let server: PrivatePostgres
  let proxy: TcpProxy
  beforeAll(async () => {
    server = await startPrivatePostgres()
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: server.port } })
  })
  afterAll(async () => {
    await proxy.close()
    await server.destroy()
  })

  for (const strategy of strategies) {
    it(`${strategy}: reconnects, retries, never applies a query twice or half a transaction, answers every query once`, async () => {
      const database = `faults_${strategy}`
      const directUrl = await server.createDatabase(database)
      const proxied = throughProxy(directUrl, proxy)
      const admin = new pg.Pool({ connectionString: directUrl, max: 2 })
      admin.on('error', () => undefined)
      await createKeyTable(admin, 'events')

      const pipeline = new QueryPipeline({
        name: `restart-${strategy}`,
        connection: { connectionString: proxied, connectionTimeoutMillis: 3_000 },
        strategy,
        batchSize: 25,
        flushIntervalMs: 5,
        maxQueueSize: 500,
        maxConnections: 4,
        retry: { maxAttempts: 12, baseDelayMs: 50, maxDelayMs: 500 },
        retainResults: false,
      })
      const resultEvents = new Map<string, number>()
      pipeline.on('result', (result) => {
        resultEvents.set(result.queryId, (resultEvents.get(result.queryId) ?? 0) + 1)
      })

      const ledger = new Ledger()
      let stopLoad = false
      const load = runPipelineLoad({
        pipeline,
        ledger,
        table: 'events',
        keyPrefix: strategy,
        producers: 6,
        burst: 20,
        groupSize: strategy === 'transactional' ? groupSize : undefined,
        stop: () => stopLoad,
        maxQueries: 200_000,
        resultTimeoutMs: 30_000,
      })
      // Faults only mean something once work is flowing: wait for the first results.
      const flowing = Date.now() + 20_000
      while (ledger.keys('succeeded').length < 100 && Date.now() < flowing) await sleep(20)
      const faults = { cut: 0, terminated: 0, restarts: 0 }
      for (let cycle = 0; cycle < cycles; cycle += 1) {
        await sleep(400)
        faults.cut += proxy.cutAll()
        await sleep(400)
        faults.terminated += await server.terminateBackends(database)
        await sleep(400)
        await server.restart(300)
        faults.restarts += 1
        await sleep(800)
      }
      stopLoad = true
      const stats = await load

      // Recovered: once the faults are over, new queries simply succeed.
      if (pipeline.getStatus().state === 'halted') pipeline.resume()
      const recovery = await runPipelineLoad({
        pipeline,
        ledger,
        table: 'events',
        keyPrefix: `${strategy}-after`,
        producers: 2,
        burst: 20,
        groupSize: strategy === 'transactional' ? groupSize : undefined,
        stop: () => false,
        maxQueries: 40,
        resultTimeoutMs: 30_000,
      })
      const recoveryKeys = ledger.keys().filter((key) => key.startsWith(`${strategy}-after-`))
      const recoveredOk = recoveryKeys.filter((key) => ledger.outcomeOf(key) === 'succeeded').length

      const counts = await rowsPerKey(admin, 'events')
      const verdict = ledger.verify(counts)
      const unknownApplied = ledger
        .keys('outcome-unknown')
        .filter((key) => (counts.get(key) ?? 0) > 0).length
      const reportedTwice = [...resultEvents.values()].filter((count) => count > 1).length
      const { rows: groups } = await admin.query<{ grp: string; n: string }>(
        'SELECT grp, count(*) AS n FROM events GROUP BY grp',
      )
      const halfGroups =
        strategy === 'transactional' ? groups.filter((row) => Number(row.n) !== groupSize) : []
      const closed = await within(
        pipeline.close().then(() => true),
        30_000,
        false,
      )
      await admin.end()

      reportFigures(`database faults, ${strategy}`, {
        ...faults,
        submitted: stats.submitted + recovery.submitted,
        succeeded: verdict.byOutcome.succeeded,
        failed: verdict.byOutcome.failed,
        rolledBack: verdict.byOutcome.rolled_back,
        skipped: verdict.byOutcome.skipped,
        outcomeUnknown: verdict.byOutcome['outcome-unknown'],
        unknownApplied,
        refused: verdict.byOutcome.rejected,
        resumes: stats.resumes,
        retries: stats.retries,
        retriedQueries: stats.retriedQueries,
        lost: verdict.lost.length,
        duplicated: verdict.duplicated.length,
        phantom: verdict.phantom.length,
        unanswered: verdict.unanswered.length,
        halfAppliedGroups: halfGroups.length,
        recovered: `${recoveredOk}/${recoveryKeys.length}`,
      })

      console.log(
        `[reliability] database faults, ${strategy}: errors ${JSON.stringify(stats.errorSamples)}`,
      )
      expect(verdict.unanswered, 'queries that never got a result').toEqual([])
      expect(reportedTwice, 'queries reported more than once').toBe(0)
      expect(stats.mismatched + recovery.mismatched, 'results handed to the wrong query').toBe(0)
      expect(verdict.lost, 'said succeeded, not in the table').toEqual([])
      expect(verdict.duplicated, 'applied more than once').toEqual([])
      expect(verdict.phantom, 'said failed/rolled back/skipped, yet applied').toEqual([])
      expect(verdict.unknownKeys).toEqual([])
      expect(halfGroups, 'transactional groups applied in part').toEqual([])
      expect(verdict.byOutcome.succeeded).toBeGreaterThan(100)
      expect(faults.cut + faults.terminated, 'the faults hit open connections').toBeGreaterThan(0)
      expect(recoveredOk, 'queries after the faults must succeed').toBe(recoveryKeys.length)
      expect(recoveryKeys.length).toBeGreaterThan(0)
      if (strategy === 'best_effort')
        expect(stats.retriedQueries, 'transient errors are retried').toBeGreaterThan(0)
      expect(closed, 'close() drains and returns').toBe(true)
    })
  }
})
