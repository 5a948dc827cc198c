import { QueryPipeline, type QueryResult, type Strategy } from '@sluice/pipeline-core'
import { startTcpProxy, throughProxy, type TcpProxy } from '@sluice/tcp-proxy'
import { createTestSchema, type TestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { outcomeOfResult } from '../testing/ledger'
import { sleep, within } from '../testing/timing'

/*
 * The hardest answer to give honestly: the database ran the batch (COMMIT included) but the
 * replies were lost, then the connection broke. The proxy forwards everything, swallows every
 * reply once the client has sent COMMIT, waits until the rows are committed (seen from another
 * session), then resets the connection. Whatever ran must not be reported failed (it is
 * outcome-unknown, or for a read re-run, succeeded), must not run twice, and every query gets
 * exactly one result.
 */

/** Polls `check` every 20 ms until it holds or `ms` passed. */
async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await sleep(20)
  }
  return false
}

const strategies: readonly Strategy[] = ['transactional', 'best_effort', 'parallel', 'sequential']

describe('replies lost after the database applied a batch', () => {
  let schema: TestSchema
  let proxy: TcpProxy
  let proxiedUrl: string
  beforeAll(async () => {
    schema = await createTestSchema('lost_reply')
    proxy = await startTcpProxy({ target: schema.url })
    proxiedUrl = throughProxy(schema.url, proxy)
  })
  afterAll(async () => {
    await proxy.close()
    await schema.drop()
  })

  for (const strategy of strategies) {
    it(`${strategy}: what ran is never reported failed, never re-run, and each query gets one result`, async () => {
      const table = `lost_${strategy}`
      await createKeyTable(schema.pool, table)
      const pipeline = new QueryPipeline({
        name: `lost-reply-${strategy}`,
        connection: { connectionString: proxiedUrl, connectionTimeoutMillis: 3_000 },
        strategy,
        batchSize: 10,
        flushIntervalMs: 5,
        maxConnections: 1,
        retry: { maxAttempts: 5, baseDelayMs: 20 },
      })
      const resultEvents = new Map<string, number>()
      pipeline.on('result', (result) => {
        resultEvents.set(result.queryId, (resultEvents.get(result.queryId) ?? 0) + 1)
      })
      // A warm connection, and the same statement once, so whatever the pipeline learns about a
      // statement before it runs it (plans, catalog facts) is known: the batch goes out at once.
      expect(
        (await pipeline.query(`INSERT INTO ${table} (key) VALUES ($1)`, ['warm-up'])).status,
      ).toBe('succeeded')
      await schema.pool.query(`DELETE FROM ${table}`)

      // Transactional batches: every reply after the client sent COMMIT is lost (the COMMIT runs,
      // its answer never comes). The others run autocommit statements: every reply after the
      // INSERT went out is lost.
      const trigger = strategy === 'transactional' ? 'COMMIT' : 'INSERT'
      proxy.set({ dropRepliesAfter: trigger })
      const sentBefore = proxy.bytesToServer
      const connectionsBefore = proxy.acceptedConnections
      const keys = Array.from({ length: 10 }, (_, i) => `${strategy}-${i}`)
      const sql = `INSERT INTO ${table} (key) VALUES ($1)`
      // One group, so the ten go out in one batch whatever the machine's timing.
      const handles = await pipeline.addGroup(
        keys.map((key) => ({ sql, params: [key], callbackId: key })),
      )
      // Wait until the server has run and committed the batch (seen from another session);
      // its replies went nowhere. Then break the connection.
      const committed = await waitFor(
        async () => (await rowsPerKey(schema.pool, table)).size === keys.length,
        10_000,
      )
      const sentWhileDropping = proxy.bytesToServer - sentBefore
      const newConnections = proxy.acceptedConnections - connectionsBefore
      const cut = proxy.cutAll()
      proxy.set({ dropRepliesAfter: undefined })
      const results = await Promise.all(handles.map((h) => within(h.result, 20_000, undefined)))
      const counts = await rowsPerKey(schema.pool, table)
      const closed = await within(
        pipeline.close().then(() => true),
        20_000,
        false,
      )

      const answered = results.filter((r): r is QueryResult => r !== undefined)
      const outcomes = answered.map((r) => outcomeOfResult(r))
      const appliedButFailed = answered.filter(
        (r) =>
          (counts.get(r.callbackId ?? '') ?? 0) > 0 &&
          ['failed', 'rolled_back', 'skipped'].includes(outcomeOfResult(r)),
      )
      const notAppliedButSucceeded = answered.filter(
        (r) => (counts.get(r.callbackId ?? '') ?? 0) === 0 && r.status === 'succeeded',
      )
      reportFigures(`lost replies, ${strategy}`, {
        trigger,
        cut,
        bytesSent: sentWhileDropping,
        newConnections,
        applied: [...counts.values()].filter((n) => n > 0).length,
        twice: [...counts.values()].filter((n) => n > 1).length,
        ...Object.fromEntries(
          ['succeeded', 'outcome-unknown', 'failed', 'rolled_back', 'skipped'].map((o) => [
            o,
            outcomes.filter((x) => x === o).length,
          ]),
        ),
        unanswered: results.length - answered.length,
      })
      expect(
        committed,
        'the batch reached the server and committed while its replies were dropped',
      ).toBe(true)
      expect(cut).toBeGreaterThanOrEqual(1)
      expect(answered.length, 'every query gets a result').toBe(keys.length)
      expect(
        [...resultEvents.values()].filter((n) => n !== 1),
        'no query reported twice',
      ).toEqual([])
      expect(
        [...counts.values()].filter((n) => n > 1),
        'nothing ran twice',
      ).toEqual([])
      expect(
        appliedButFailed.map((r) => `${r.callbackId ?? ''}: ${r.status} ${r.error?.message ?? ''}`),
        'ran, yet reported failed',
      ).toEqual([])
      expect(
        notAppliedButSucceeded.map((r) => r.callbackId),
        'reported succeeded, not in the table',
      ).toEqual([])
      // Nothing came back after the statements ran: nobody may claim success.
      expect(
        outcomes.filter((o) => o === 'succeeded'),
        'claimed succeeded with no answer from the database',
      ).toEqual([])
      expect(outcomes).toEqual(keys.map(() => 'outcome-unknown'))
      expect(closed).toBe(true)
    })
  }
})
