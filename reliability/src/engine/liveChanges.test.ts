import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mustPutPipeline, putPipeline, trpcCall } from '../testing/engineApi'
import { ingest, resultsOf } from '../testing/ingestClient'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { longRun, reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger } from '../testing/ledger'
import { runIngestLoad, type IngestLoadStats } from '../testing/loadDriver'
import { sleep } from '../testing/timing'

/*
 * Operators change pipelines while applications use them: configs updated live (batch size,
 * interval, connections, strategy), pipelines paused and resumed, a pipeline deleted under load.
 * None of it may lose, duplicate or invent a query: the ledger holds, and every request gets an
 * answer (200, or a refusal that ran nothing).
 */

const insert = 'INSERT INTO events (key, grp) VALUES ($1, $2)'
const runMs = longRun ? 15_000 : 2_500

describe('live changes under load', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('live_changes')
    await createKeyTable(fixture.db.pool, 'events')
  })
  afterAll(async () => {
    await fixture.close()
  })

  const load = (pipeline: string, ledger: Ledger, stop: () => boolean): Promise<IngestLoadStats> =>
    runIngestLoad({
      ledger,
      baseUrl: fixture.engine.baseUrl,
      pipeline,
      workers: 4,
      queriesPerRequest: 10,
      keyPrefix: pipeline,
      stop,
      maxRequests: 100_000,
      timeoutMs: 30_000,
      pauseAfterRefusalMs: 20,
      makeQuery: (key, requestId) => ({ sql: insert, params: [key, requestId] }),
    })

  const check = async (
    name: string,
    ledger: Ledger,
    stats: IngestLoadStats,
    changes: number,
  ): Promise<void> => {
    const counts = await rowsPerKey(fixture.db.pool, 'events')
    const verdict = ledger.verify(
      new Map([...counts].filter(([key]) => key.startsWith(`${name}-`))),
    )
    reportFigures(`live changes, ${name}`, {
      changes,
      requests: stats.requests,
      byStatus: Object.entries(stats.byStatus)
        .map(([s, n]) => `${s}x${n}`)
        .join(','),
      succeeded: verdict.byOutcome.succeeded,
      refused: verdict.byOutcome.rejected,
      failed: verdict.byOutcome.failed,
      noAnswer: verdict.byOutcome['no-answer'],
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      phantom: verdict.phantom.length,
    })
    expect(verdict.byOutcome['no-answer'], 'every request answered').toBe(0)
    expect(stats.mismatched).toBe(0)
    expect(verdict.unanswered).toEqual([])
    expect(verdict.lost).toEqual([])
    expect(verdict.duplicated).toEqual([])
    expect(verdict.phantom, 'refused or failed, yet applied').toEqual([])
    expect(verdict.byOutcome.succeeded).toBeGreaterThan(50)
  }

  it('config updates applied live lose nothing', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'tuned', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10,
    })
    const ledger = new Ledger()
    let done = false
    const running = load('tuned', ledger, () => done)
    const variants = [
      { batchSize: 5, flushIntervalMs: 1, maxConnections: 1 },
      {
        strategy: 'parallel',
        batchSize: 200,
        flushIntervalMs: 50,
        maxConnections: 8,
        maxQueueSize: 5_000,
      },
      { strategy: 'transactional', batchSize: 20, flushIntervalMs: 5 },
      { strategy: 'sequential', batchSize: 1, flushIntervalMs: 1 },
      { strategy: 'best_effort', batchSize: 100, flushIntervalMs: 20, optimize: false },
      { optimize: true, batchSize: 50, maxQueueSize: 100 },
    ]
    let changes = 0
    const until = Date.now() + runMs
    while (Date.now() < until) {
      await sleep(150)
      const variant = variants[changes % variants.length] ?? {}
      const answer = await trpcCall(
        base,
        'pipelines.update',
        { name: 'tuned', config: variant },
        { mutation: true },
      )
      expect(answer.status, answer.text.slice(0, 300)).toBe(200)
      changes += 1
    }
    done = true
    await check('tuned', ledger, await running, changes)
  })

  it('pause and resume under load lose nothing, and a paused pipeline runs nothing new', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'paused', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10,
    })
    const ledger = new Ledger()
    let done = false
    const running = load('paused', ledger, () => done)
    let changes = 0
    const until = Date.now() + runMs
    while (Date.now() < until) {
      await sleep(200)
      const procedure = changes % 2 === 0 ? 'pipelines.pause' : 'pipelines.resume'
      const answer = await trpcCall(base, procedure, { name: 'paused' }, { mutation: true })
      expect(answer.status, answer.text.slice(0, 300)).toBe(200)
      changes += 1
    }
    await trpcCall(base, 'pipelines.resume', { name: 'paused' }, { mutation: true })
    done = true
    await check('paused', ledger, await running, changes)
  })

  it('shrinking the batch size below queued groups keeps each group atomic', async () => {
    const base = fixture.engine.baseUrl
    // A long interval keeps the groups queued while the config changes under them.
    await mustPutPipeline(base, 'grouped', {
      strategy: 'transactional',
      batchSize: 20,
      flushIntervalMs: 1_500,
    })
    const group = (g: number, failing: boolean) =>
      Array.from({ length: 15 }, (_, i) => ({
        sql: failing && i === 7 ? 'SELECT 1/0' : insert,
        params: failing && i === 7 ? [] : [`grouped-${g}-${i}`, `grouped-${g}`],
        callbackId: `grouped-${g}-${i}`,
      }))
    const sent = [0, 1, 2, 3].map((g) =>
      ingest(base, 'grouped', group(g, g === 2), { group: true }),
    )
    await sleep(200)
    const update = await trpcCall(
      base,
      'pipelines.update',
      { name: 'grouped', config: { batchSize: 5, flushIntervalMs: 5 } },
      { mutation: true },
    )
    const answers = await Promise.all(sent)
    const { rows } = await fixture.db.pool.query<{ grp: string; n: string }>(
      "SELECT grp, count(*) AS n FROM events WHERE grp LIKE 'grouped-%' GROUP BY grp ORDER BY grp",
    )
    const statuses = answers.map((a) =>
      [...new Set((resultsOf(a) ?? []).map((r) => r.status))].sort().join('+'),
    )
    reportFigures('live changes, batch size below queued groups', {
      update: update.status,
      answers: answers.map((a) => a.status).join(','),
      groupOutcomes: statuses.join(' | '),
      applied: rows.map((r) => `${r.grp}=${r.n}`).join(',') || 'none',
    })
    expect(update.status, update.text.slice(0, 300)).toBe(200)
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200])
    // Groups 0, 1 and 3 whole; group 2 (with a division by zero) not at all.
    expect(rows).toEqual([
      { grp: 'grouped-0', n: '15' },
      { grp: 'grouped-1', n: '15' },
      { grp: 'grouped-3', n: '15' },
    ])
    expect(statuses).toEqual(['succeeded', 'succeeded', 'failed+rolled_back', 'succeeded'])
  })

  it('a group accepted as atomic stays atomic when the strategy changes under it', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'switched', {
      strategy: 'transactional',
      batchSize: 20,
      flushIntervalMs: 1_500,
    })
    // Accepted by a transactional pipeline with group: true, so all or nothing was promised.
    const sent = ingest(
      base,
      'switched',
      Array.from({ length: 5 }, (_, i) => ({
        sql: i === 2 ? 'SELECT 1/0' : insert,
        params: i === 2 ? [] : [`switched-${i}`, 'switched'],
      })),
      { group: true },
    )
    await sleep(200)
    const update = await trpcCall(
      base,
      'pipelines.update',
      { name: 'switched', config: { strategy: 'best_effort', flushIntervalMs: 5 } },
      { mutation: true },
    )
    const answer = await sent
    const { rows } = await fixture.db.pool.query<{ key: string }>(
      "SELECT key FROM events WHERE grp = 'switched'",
    )
    const statuses = (resultsOf(answer) ?? []).map((r) => r.status)
    reportFigures('live changes, strategy switched under a queued group', {
      update: update.status,
      statuses: statuses.join(','),
      applied: rows.length,
    })
    expect(update.status).toBe(200)
    expect(rows, 'half of an atomic group applied').toEqual([])
    expect(statuses).toEqual(['rolled_back', 'rolled_back', 'failed', 'rolled_back', 'rolled_back'])
  })

  it('deleting a pipeline under load answers every request it accepted', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'doomed', {
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10,
    })
    const ledger = new Ledger()
    let done = false
    const running = load('doomed', ledger, () => done)
    await sleep(runMs / 2)
    const deleted = await trpcCall(base, 'pipelines.delete', { name: 'doomed' }, { mutation: true })
    await sleep(300)
    done = true
    const stats = await running
    expect(deleted.status, deleted.text.slice(0, 300)).toBe(200)
    expect(stats.byStatus['404'] ?? 0, 'after the delete: 404').toBeGreaterThan(0)
    await check('doomed', ledger, stats, 1)
    // The name can be used again at once.
    expect((await putPipeline(base, 'doomed', { batchSize: 10 })).status).toBeLessThan(300)
  })
})
