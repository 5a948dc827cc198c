import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mustPutPipeline, trpcCall } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { reportFigures } from '../testing/figures'
import { ingest, resultsOf } from '../testing/ingestClient'
import { rowsPerKey } from '../testing/keyTable'

/*
 * Operators retry failed queries from the console: several may click "retry all" at once, or
 * retry a selection while a retry-all runs. Each failed write must run again exactly once.
 */

const failures = 60

describe('retrying failed queries concurrently', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('retry_race')
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('runs each failed write exactly once, however many retries race', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'late_table', {
      strategy: 'best_effort',
      batchSize: 20,
      flushIntervalMs: 5,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    })
    // The table does not exist yet: every insert fails (42P01) and is stored.
    const answer = await ingest(
      base,
      'late_table',
      Array.from({ length: failures }, (_, i) => ({
        sql: 'INSERT INTO late (key) VALUES ($1)',
        params: [`k${i}`],
        callbackId: `k${i}`,
      })),
    )
    expect(
      resultsOf(answer)?.every((r) => r.status === 'failed' && r.error?.code === '42P01'),
    ).toBe(true)
    const ids = (resultsOf(answer) ?? []).map((r) => r.failureId ?? '')
    expect(ids.every((id) => /^\d+$/.test(id))).toBe(true)

    // The cause is fixed; now four retry-alls and two overlapping selections at once.
    await fixture.db.pool.query('CREATE TABLE late (key text NOT NULL)')
    const reports = await Promise.all([
      ...Array.from({ length: 4 }, () =>
        trpcCall(base, 'failures.retryAll', { pipeline: 'late_table' }, { mutation: true }),
      ),
      trpcCall(base, 'failures.retry', { ids: ids.slice(0, 40) }, { mutation: true }),
      trpcCall(base, 'failures.retry', { ids: ids.slice(20) }, { mutation: true }),
    ])
    const counts = await rowsPerKey(fixture.db.pool, 'late')
    const resolved = reports.reduce(
      (sum, r) => sum + ((r.data as { resolved?: number } | undefined)?.resolved ?? 0),
      0,
    )
    const { rows: open } = await fixture.db.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM sluice.failed_queries WHERE pipeline = 'late_table' AND status = 'failed'",
    )
    reportFigures('concurrent failure retries', {
      failures,
      retryCalls: reports.length,
      statuses: reports.map((r) => r.status).join(','),
      resolvedReported: resolved,
      rowsApplied: [...counts.values()].reduce((a, b) => a + b, 0),
      appliedTwice: [...counts.values()].filter((n) => n > 1).length,
      stillOpen: Number(open[0]?.n),
    })
    expect(reports.map((r) => r.status)).toEqual(reports.map(() => 200))
    expect(counts.size, 'every failed write ran again').toBe(failures)
    expect(
      [...counts.values()].filter((n) => n > 1),
      'a failed write ran twice',
    ).toEqual([])
    expect(resolved, 'resolved once each, across all the calls').toBe(failures)
    expect(Number(open[0]?.n)).toBe(0)
  })

  it('retry all runs each matching failed query once, however many there are', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'still_missing', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 5,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    })
    // More than one page of failures; the cause is not fixed, so every retry fails again.
    const count = 250
    for (let i = 0; i < count; i += 50) {
      await ingest(
        base,
        'still_missing',
        Array.from({ length: 50 }, (_, j) => ({
          sql: 'INSERT INTO still_missing (v) VALUES ($1)',
          params: [i + j],
        })),
      )
    }
    const report = await trpcCall(
      base,
      'failures.retryAll',
      { pipeline: 'still_missing' },
      { mutation: true },
    )
    const data = report.data as { matched: number; failed: number } | undefined
    const { rows } = await fixture.db.pool.query<{ n: number; attempts: number }>(
      "SELECT count(*)::int AS n, sum(attempts)::int AS attempts FROM sluice.failed_queries WHERE pipeline = 'still_missing'",
    )
    reportFigures('retry all, one pass', {
      failures: rows[0]?.n ?? 0,
      matchedReported: data?.matched ?? -1,
      runs: (rows[0]?.attempts ?? 0) - count,
    })
    expect(rows[0]?.n).toBe(count)
    expect(data?.matched, 'matched reported').toBe(count)
    expect((rows[0]?.attempts ?? 0) - count, 'each failed query re-run exactly once').toBe(count)
  })
})
