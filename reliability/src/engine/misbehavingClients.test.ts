import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { reportFigures } from '../testing/figures'
import { ingest, resultsOf } from '../testing/ingestClient'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger } from '../testing/ledger'
import { runIngestLoad } from '../testing/loadDriver'
import { sleep } from '../testing/timing'

/*
 * Clients that hang up half-way, and clients that never finish their request. Requests aborted
 * after they were sent still owe their queries at most one run (nobody hears the answer, nothing
 * runs twice), the engine must not crash writing to a closed socket, and a few hundred stalled
 * connections must not keep a well-behaved client from being served.
 */

describe('misbehaving clients', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('misbehaving')
    await createKeyTable(fixture.db.pool, 'events')
    await mustPutPipeline(fixture.engine.baseUrl, 'steady', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 20,
    })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('clients hanging up mid-request: nothing runs twice, the engine stays up', async () => {
    const ledger = new Ledger()
    // Timeouts shorter than a flush: most requests are abandoned while their queries wait.
    const stats = await runIngestLoad({
      ledger,
      baseUrl: fixture.engine.baseUrl,
      pipeline: 'steady',
      workers: 8,
      queriesPerRequest: 10,
      keyPrefix: 'abandoned',
      stop: () => false,
      maxRequests: 300,
      timeoutMs: 15,
      makeQuery: (key, requestId) => ({
        sql: 'INSERT INTO events (key, grp) VALUES ($1, $2)',
        params: [key, requestId],
      }),
    })
    await sleep(500)
    const counts = await rowsPerKey(fixture.db.pool, 'events')
    const verdict = ledger.verify(counts)
    const health = await getFromEngine(fixture.engine.baseUrl, '/healthz')
    const after = await ingest(fixture.engine.baseUrl, 'steady', [{ sql: 'SELECT 1 AS one' }])
    reportFigures('clients hanging up', {
      requests: stats.requests,
      abandoned: verdict.byOutcome['no-answer'],
      answered: verdict.byOutcome.succeeded,
      appliedOfAbandoned: ledger.keys('no-answer').filter((key) => counts.has(key)).length,
      duplicated: verdict.duplicated.length,
      lost: verdict.lost.length,
    })
    expect(verdict.byOutcome['no-answer'], 'the test did abandon requests').toBeGreaterThan(0)
    expect(verdict.duplicated).toEqual([])
    expect(verdict.lost).toEqual([])
    expect(verdict.phantom).toEqual([])
    expect(health.status).toBe(200)
    expect(resultsOf(after)?.[0]?.status).toBe('succeeded')
  })

  it('hundreds of stalled connections do not starve a well-behaved client', async () => {
    const port = fixture.engine.port
    const stalled: Socket[] = []
    for (let i = 0; i < 300; i += 1) {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => undefined)
      // Headers promise a body that never comes; or headers that never end.
      socket.write(
        i % 2 === 0
          ? 'POST /v1/pipelines/steady/queries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"queries":['
          : 'POST /v1/pipelines/steady/queries HTTP/1.1\r\nHost: x\r\nX-Slow: ',
      )
      stalled.push(socket)
    }
    await sleep(300)
    const started = performance.now()
    const answer = await ingest(fixture.engine.baseUrl, 'steady', [{ sql: 'SELECT 2 AS two' }], {
      timeoutMs: 10_000,
    })
    const servedMs = performance.now() - started
    const health = await getFromEngine(fixture.engine.baseUrl, '/healthz')
    for (const socket of stalled) socket.destroy()
    reportFigures('stalled connections', {
      stalled: stalled.length,
      wellBehavedServedMs: servedMs,
      status: answer.status,
    })
    expect(answer.status).toBe(200)
    expect(resultsOf(answer)?.[0]?.status).toBe('succeeded')
    expect(servedMs).toBeLessThan(2_000)
    expect(health.status).toBe(200)
  })
})
