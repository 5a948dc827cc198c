import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { longRun, reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger } from '../testing/ledger'
import { percentile, runIngestLoad } from '../testing/loadDriver'
import { sleep } from '../testing/timing'

/*
 * Ingest far above capacity: each query sleeps 2 ms in the database and the pipeline's queue
 * holds 200, while 32 clients send 20 queries per request without pausing. The engine must
 * shed load with 429 + Retry-After, keep its memory flat, keep the latency of what it admits
 * bounded, never run what it refused, and stay up.
 */

const mb = 1024 * 1024

describe('overload', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('overload')
    await createKeyTable(fixture.db.pool, 'events')
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('answers 429 with Retry-After, keeps memory and admitted latency bounded, and stays up', async () => {
    const base = fixture.engine.baseUrl
    const maxQueueSize = 200
    await mustPutPipeline(base, 'flood', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 5,
      maxQueueSize,
      maxConnections: 2,
      optimize: false,
    })
    const ledger = new Ledger()
    const makeQuery = (key: string, requestId: string) => ({
      sql: 'INSERT INTO events (key, grp) SELECT $1, $2 FROM pg_sleep(0.002)',
      params: [key, requestId],
    })
    // Warm-up below capacity, then the baseline memory.
    await runIngestLoad({
      baseUrl: base,
      pipeline: 'flood',
      ledger,
      keyPrefix: 'warm',
      workers: 1,
      queriesPerRequest: 5,
      maxRequests: 20,
      stop: () => false,
      makeQuery,
    })
    const baselineRss = fixture.engine.rssBytes() ?? 0

    const rss: number[] = []
    const sampler = setInterval(() => {
      const value = fixture.engine.rssBytes()
      if (value !== undefined) rss.push(value)
    }, 100)
    let done = false
    const flood = runIngestLoad({
      baseUrl: base,
      pipeline: 'flood',
      ledger,
      keyPrefix: 'flood',
      workers: 32,
      queriesPerRequest: 20,
      maxRequests: 200_000,
      timeoutMs: 30_000,
      stop: () => done,
      makeQuery,
    })
    const floodStarted = performance.now()
    await sleep(longRun ? 30_000 : 5_000)
    done = true
    const stats = await flood
    const floodSeconds = (performance.now() - floodStarted) / 1_000
    clearInterval(sampler)

    const health = await getFromEngine(base, '/healthz')
    const verdict = ledger.verify(await rowsPerKey(fixture.db.pool, 'events'))
    const peakRss = Math.max(...rss)
    const p50 = percentile(stats.okLatenciesMs, 50)
    const p99 = percentile(stats.okLatenciesMs, 99)
    // Little's law: an admitted query waits behind at most a full queue, drained at the rate the
    // engine actually achieved here (whatever the machine); three times that plus a second (HTTP
    // and a busy CI machine) is the bound. And latency must not creep up during the run, as it
    // would behind a queue that grows.
    const throughput = ((stats.byStatus['200'] ?? 0) * 20) / floodSeconds
    const latencyBoundMs = ((3 * (maxQueueSize + 20)) / Math.max(throughput, 1)) * 1_000 + 1_000
    const third = Math.floor(stats.okLatenciesMs.length / 3)
    const earlyP50 = percentile(stats.okLatenciesMs.slice(0, third), 50)
    const lateP50 = percentile(stats.okLatenciesMs.slice(-third), 50)
    const retryAfterOk = stats.retryAfter.filter(
      (value) => /^\d+$/.test(value) && Number(value) >= 1,
    ).length
    reportFigures('overload', {
      requests: stats.requests,
      queriesOffered: stats.queries,
      admitted200: stats.byStatus['200'] ?? 0,
      refused429: stats.byStatus['429'] ?? 0,
      other:
        Object.entries(stats.byStatus)
          .filter(([s]) => s !== '200' && s !== '429')
          .map(([s, n]) => `${s}x${n}`)
          .join(',') || 'none',
      queriesSucceeded: verdict.byOutcome.succeeded,
      queriesRefused: verdict.byOutcome.rejected,
      admittedP50Ms: p50,
      admittedP99Ms: p99,
      queriesPerSecond: throughput,
      latencyBoundMs,
      earlyP50Ms: earlyP50,
      lateP50Ms: lateP50,
      baselineRssMb: baselineRss / mb,
      peakRssMb: peakRss / mb,
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      phantom: verdict.phantom.length,
    })

    expect(health.status, 'the engine is still up').toBe(200)
    expect(fixture.engine.rssBytes(), 'the engine process is alive').toBeDefined()
    expect(stats.byStatus['429'] ?? 0, 'load was shed with 429').toBeGreaterThan(0)
    expect(stats.byStatus['200'] ?? 0, 'some load was admitted').toBeGreaterThan(0)
    expect(retryAfterOk, 'every 429 carries Retry-After in whole seconds').toBe(
      stats.retryAfter.length,
    )
    expect(stats.retryAfter.length).toBe(stats.byStatus['429'] ?? 0)
    expect(
      Object.keys(stats.byStatus).filter((s) => !['200', '429'].includes(s)),
      'no 5xx, no dropped connection',
    ).toEqual([])
    expect(stats.mismatched).toBe(0)
    expect(verdict.lost).toEqual([])
    expect(verdict.duplicated).toEqual([])
    expect(verdict.phantom, 'refused with 429, yet ran').toEqual([])
    // A queue of 200 queries costs kilobytes: 150 MB of growth means the backlog is not bounded.
    expect(peakRss - baselineRss).toBeLessThan(150 * mb)
    expect(p99, 'admitted latency bounded by the queue').toBeLessThan(latencyBoundMs)
    expect(lateP50, 'admitted latency does not creep up over the run').toBeLessThan(
      2 * earlyP50 + 500,
    )
  })
})
