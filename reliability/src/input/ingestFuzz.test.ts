import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline } from '../infra/engineApi'
import { startEngineFixture, type EngineFixture } from '../infra/engineFixture'
import { longRun, reportFigures } from '../infra/figures'
import { callEngine, ingest, resultsOf } from '../infra/ingestClient'

/*
 * Property-based fuzzing of POST /v1/pipelines/:name/queries. Whatever arrives, the engine
 * answers (no dropped connection), never with a 5xx, with JSON; a 4xx carries a message; a 200
 * carries one result per query, in order, each with a known status. Afterwards the engine is up
 * and another pipeline works.
 */

const runs = longRun ? 1_000 : 120
const statuses = new Set(['succeeded', 'failed', 'skipped', 'rolled_back', 'rejected'])

const sqlText = fc.oneof(
  fc.constantFrom('SELECT 1', 'SELECT $1::text AS v', 'SELECT $1::int + $2::int AS v', 'INSERT INTO fuzz (v) VALUES ($1)', 'SELECT * FROM fuzz WHERE v = $1', 'SELEC', 'SELECT 1; SELECT 2', 'SELECT pg_sleep(0)'),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
)
const param = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.integer(), fc.double())
const query = fc.record(
  { sql: fc.oneof({ weight: 8, arbitrary: sqlText }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }), params: fc.oneof(fc.array(param, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })), callbackId: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()) },
  { requiredKeys: ['sql'] },
)
const structuredBody = fc.record({ queries: fc.array(query, { maxLength: 6 }), group: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 0 })) }, { requiredKeys: ['queries'] })
const body = fc.oneof(
  { weight: 6, arbitrary: structuredBody.map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: structuredBody.map((value) => JSON.stringify(value)).chain((text) => fc.nat(text.length).map((cut) => text.slice(0, cut))) },
)
const pipelineName = fc.oneof({ weight: 8, arbitrary: fc.constant('fuzz') }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) })

describe('ingest fuzzing', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('fuzz')
    await fixture.db.pool.query('CREATE TABLE fuzz (v text)')
    await mustPutPipeline(fixture.engine.baseUrl, 'fuzz', { strategy: 'best_effort', batchSize: 20, flushIntervalMs: 2 })
    await mustPutPipeline(fixture.engine.baseUrl, 'calm', { strategy: 'sequential', batchSize: 20, flushIntervalMs: 2 })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it(`answers ${runs} random requests with a well-formed 200 or 4xx, and stays up`, async () => {
    const seen: Record<string, number> = {}
    await fc.assert(
      fc.asyncProperty(pipelineName, body, async (name, text) => {
        const answer = await callEngine(`${fixture.engine.baseUrl}/v1/pipelines/${name}/queries`, text, { timeoutMs: 15_000 })
        seen[String(answer.status)] = (seen[String(answer.status)] ?? 0) + 1
        expect(answer.status, `no answer: ${answer.failure ?? ''}`).not.toBe(0)
        expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500)
        expect(answer.body, 'the answer is JSON').toBeDefined()
        if (answer.status === 200) {
          const sent = (JSON.parse(text) as { queries: unknown[] }).queries
          const results = resultsOf(answer)
          expect(results?.length).toBe(sent.length)
          for (const result of results ?? []) expect(statuses.has(result.status), result.status).toBe(true)
        } else {
          expect(answer.status).toBeGreaterThanOrEqual(400)
          expect(answer.text).toMatch(/"(message|error)"\s*:\s*"[^"]+/)
        }
        // A sequential pipeline halts at a failure; the fuzz pipeline is best_effort and never
        // halts, so nothing here needs resuming.
      }),
      { numRuns: runs, endOnFailure: true },
    )
    const health = await getFromEngine(fixture.engine.baseUrl, '/healthz')
    const calm = await ingest(fixture.engine.baseUrl, 'calm', [{ sql: 'SELECT 41 + 1 AS v' }])
    reportFigures('ingest fuzz', { runs, ...Object.fromEntries(Object.entries(seen).map(([s, n]) => [`status${s}`, n])) })
    expect(health.status).toBe(200)
    expect(resultsOf(calm)?.[0]?.status).toBe('succeeded')
  })
})
