import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mustPutPipeline } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { longRun, reportFigures } from '../testing/figures'
import { ingest, resultsOf, type IngestAnswer, type IngestQuery } from '../testing/ingestClient'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { sleep } from '../testing/timing'

/*
 * Exactly once across a crash: keyed requests under sustained load on three pipelines
 * (best_effort singles that merge, transactional groups, sequential), the engine SIGKILLed, then
 * every request that got no answer sent again with its Idempotency-Key to the restarted engine.
 * The table has no unique key: a query applied twice shows up as two rows.
 */

const insert = 'INSERT INTO keyed_events (key, grp) VALUES ($1, $2)'
const LEASE_SECONDS = 3

interface KeyedRequest {
  readonly pipeline: string
  readonly key: string
  readonly queries: IngestQuery[]
  readonly group: boolean
  answer?: IngestAnswer
}

const send = (base: string, request: KeyedRequest): Promise<IngestAnswer> =>
  ingest(base, request.pipeline, request.queries, {
    group: request.group,
    timeoutMs: 30_000,
    headers: { 'idempotency-key': request.key },
  })

describe('engine SIGKILL under keyed load', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('keyedcrash', {
      env: { SLUICE_IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS) },
    })
    await createKeyTable(fixture.db.pool, 'keyed_events')
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('applies every request exactly once when the unanswered ones are sent again with their key', async () => {
    const base = fixture.engine.baseUrl
    const shapes = [
      { pipeline: 'keyed_best', strategy: 'best_effort', workers: 4, size: 10, group: false },
      { pipeline: 'keyed_tx', strategy: 'transactional', workers: 2, size: 5, group: true },
      { pipeline: 'keyed_seq', strategy: 'sequential', workers: 2, size: 5, group: false },
    ] as const
    for (const shape of shapes)
      await mustPutPipeline(base, shape.pipeline, {
        strategy: shape.strategy,
        batchSize: 50,
        flushIntervalMs: 5,
      })

    // Warm: each pipeline's connections, the parser and the target's ledger table are up.
    for (const shape of shapes) {
      const warm = await send(base, {
        pipeline: shape.pipeline,
        key: `warm-${shape.pipeline}`,
        group: shape.group,
        queries: [{ sql: 'INSERT INTO keyed_events (key) VALUES ($1)', params: ['warm'] }],
      })
      expect(warm.status).toBe(200)
    }
    await fixture.db.pool.query("DELETE FROM keyed_events WHERE key = 'warm'")

    const sent: KeyedRequest[] = []
    let killed = false
    const worker = async (shape: (typeof shapes)[number], w: number): Promise<void> => {
      for (let r = 0; !killed && r < 100_000; r++) {
        const key = `${shape.pipeline}-${String(w)}-${String(r)}`
        const request: KeyedRequest = {
          pipeline: shape.pipeline,
          key,
          group: shape.group,
          queries: Array.from({ length: shape.size }, (_, i) => ({
            sql: insert,
            params: [`${key}-${String(i)}`, key],
          })),
        }
        sent.push(request)
        request.answer = await send(base, request)
        if (request.answer.status !== 200) return
      }
    }
    const load = Promise.all(
      shapes.flatMap((shape) => Array.from({ length: shape.workers }, (_, w) => worker(shape, w))),
    )
    await sleep(longRun ? 8_000 : 2_500)
    const exit = await fixture.engine.stop('SIGKILL')
    killed = true
    await load
    const answeredBefore = sent.filter((request) => request.answer?.status === 200)
    const unanswered = sent.filter((request) => request.answer?.status !== 200)

    const restarted = await fixture.restart()
    const recoveryStart = performance.now()
    let resends = 0
    // The client's side: every unanswered request again, with its key, until it is answered.
    await Promise.all(
      unanswered.map(async (request) => {
        for (let attempt = 0; attempt < 20; attempt++) {
          resends++
          request.answer = await send(restarted.baseUrl, request)
          if (request.answer.status === 200) return
          await sleep(250)
        }
      }),
    )
    const recoveryMs = performance.now() - recoveryStart
    // Answers given before the crash are kept: a re-send replays them word for word.
    const sample = answeredBefore.slice(0, 20)
    const replays = await Promise.all(sample.map((request) => send(restarted.baseUrl, request)))

    const rows = await rowsPerKey(fixture.db.pool, 'keyed_events')
    const expected = sent.flatMap((request) => request.queries.map((query) => query.params?.[0]))
    const lost = expected.filter((key) => (rows.get(String(key)) ?? 0) === 0)
    const duplicated = [...rows].filter(([, count]) => count > 1).map(([key]) => key)
    const statuses = unanswered.flatMap((request) =>
      request.answer ? (resultsOf(request.answer) ?? []) : [],
    )
    const alreadyApplied = statuses.filter(
      (result) => (result as { alreadyApplied?: boolean }).alreadyApplied === true,
    ).length
    const notSucceeded = sent.flatMap((request) =>
      (request.answer ? (resultsOf(request.answer) ?? []) : [])
        .filter((result) => result.status !== 'succeeded')
        .map((result) => `${request.key}: ${result.status} ${result.error?.message ?? ''}`),
    )
    reportFigures('keyed engine SIGKILL', {
      requests: sent.length,
      queries: expected.length,
      answeredBeforeKill: answeredBefore.length,
      unansweredAtKill: unanswered.length,
      resends,
      alreadyAppliedOnResend: alreadyApplied,
      recoveryMs: Math.round(recoveryMs),
      lost: lost.length,
      duplicated: duplicated.length,
      replayedIdentical: `${replays.filter((replay, i) => replay.text === sample[i]?.answer?.text).length}/${sample.length}`,
    })

    expect(exit.signal).toBe('SIGKILL')
    expect(answeredBefore.length, 'the load ran long enough to mean something').toBeGreaterThan(20)
    expect(unanswered.length, 'the kill left requests without an answer').toBeGreaterThan(0)
    expect(
      sent.filter((request) => request.answer?.status !== 200).map((request) => request.key),
      'answered in the end',
    ).toEqual([])
    expect(notSucceeded, 'every query succeeded (or was already applied)').toEqual([])
    expect(lost, 'never applied').toEqual([])
    expect(duplicated, 'applied twice').toEqual([])
    expect(
      replays.map((replay, i) => replay.text === sample[i]?.answer?.text && replay.status === 200),
    ).toEqual(sample.map(() => true))
  })
})
