import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline, trpcCall } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { longRun, reportFigures } from '../testing/figures'
import { callEngine, ingest, resultsOf } from '../testing/ingestClient'

/*
 * Property-based fuzzing of POST /v1/pipelines/:name/queries. Whatever arrives, the engine
 * answers (no dropped connection), never with a 5xx, with JSON; a 4xx carries a message; a 200
 * carries one result per query, in order, each with a known status. Afterwards the engine is up
 * and another pipeline works.
 */

const runs = longRun ? 1_500 : 200
const statuses = new Set(['succeeded', 'failed', 'skipped', 'rolled_back', 'rejected'])

/** SQL with the number of parameters it takes. */
const templates: readonly (readonly [string, number])[] = [
  ['SELECT 1', 0],
  ['SELECT $1::text AS v', 1],
  ['SELECT $1::int + $2::int AS v', 2],
  ['INSERT INTO fuzz (v) VALUES ($1)', 1],
  ['SELECT * FROM fuzz WHERE v = $1', 1],
  ['UPDATE fuzz SET v = $1 WHERE v = $2', 2],
  ['SELEC', 0],
  ['SELECT 1; SELECT 2', 0],
  ['SELECT pg_sleep(0)', 0],
  ['SELECT 1/0', 0],
  ['SELECT * FROM no_such_table', 0],
  ['BEGIN', 0],
  ['COMMIT', 0],
  ['ROLLBACK', 0],
  ['SET statement_timeout = 1', 0],
]
const sqlText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...templates.map(([sql]) => sql)) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }) },
)
const scalar = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
)
const param = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
)
const matchedQuery = fc.constantFrom(...templates).chain(([sql, arity]) =>
  fc.record({
    sql: fc.constant(sql),
    params: fc.array(param, { minLength: arity, maxLength: arity }),
    callbackId: fc.string({ maxLength: 10 }),
  }),
)
const wellTypedQuery = fc.oneof(
  { weight: 4, arbitrary: matchedQuery },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        sql: sqlText,
        params: fc.array(param, { maxLength: 4 }),
        callbackId: fc.string({ maxLength: 10 }),
      },
      { requiredKeys: ['sql'] },
    ),
  },
)
const wildQuery = fc.record(
  {
    sql: fc.oneof(sqlText, fc.jsonValue({ maxDepth: 1 })),
    params: fc.oneof(fc.array(param, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
    callbackId: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
  },
  { requiredKeys: [] },
)
const structuredBody = fc.record(
  {
    queries: fc.array(
      fc.oneof({ weight: 8, arbitrary: wellTypedQuery }, { weight: 1, arbitrary: wildQuery }),
      { minLength: 1, maxLength: 6 },
    ),
    group: fc.oneof(
      { weight: 6, arbitrary: fc.boolean() },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 0 }) },
    ),
  },
  { requiredKeys: ['queries'] },
)
const body = fc.oneof(
  { weight: 8, arbitrary: structuredBody.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: structuredBody
      .map((value) => JSON.stringify(value))
      .chain((text) => fc.nat(text.length).map((cut) => text.slice(0, cut))),
  },
)
const pipelineName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('fuzz', 'fuzz_tx', 'fuzz_seq') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
)

describe('ingest fuzzing', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('fuzz')
    await fixture.db.pool.query('CREATE TABLE fuzz (v text)')
    await mustPutPipeline(fixture.engine.baseUrl, 'fuzz', {
      strategy: 'best_effort',
      batchSize: 20,
      flushIntervalMs: 2,
    })
    await mustPutPipeline(fixture.engine.baseUrl, 'fuzz_tx', {
      strategy: 'transactional',
      batchSize: 20,
      flushIntervalMs: 2,
    })
    await mustPutPipeline(fixture.engine.baseUrl, 'fuzz_seq', {
      strategy: 'sequential',
      batchSize: 20,
      flushIntervalMs: 2,
    })
    await mustPutPipeline(fixture.engine.baseUrl, 'calm', {
      strategy: 'sequential',
      batchSize: 20,
      flushIntervalMs: 2,
    })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it(`answers ${runs} random requests with a well-formed 200 or 4xx, and stays up`, async () => {
    const seen: Record<string, number> = {}
    await fc.assert(
      fc.asyncProperty(pipelineName, body, async (name, text) => {
        const answer = await callEngine(
          `${fixture.engine.baseUrl}/v1/pipelines/${name}/queries`,
          text,
          { timeoutMs: 15_000 },
        )
        seen[String(answer.status)] = (seen[String(answer.status)] ?? 0) + 1
        if (process.env.FUZZ_DEBUG && answer.status === 400) console.log(answer.text.slice(0, 200))
        expect(answer.status, `no answer: ${answer.failure ?? ''}`).not.toBe(0)
        expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500)
        expect(answer.body, 'the answer is JSON').toBeDefined()
        if (answer.status === 200) {
          const sent = (JSON.parse(text) as { queries: unknown[] }).queries
          const results = resultsOf(answer)
          expect(results?.length).toBe(sent.length)
          for (const result of results ?? [])
            expect(statuses.has(result.status), result.status).toBe(true)
        } else {
          expect(answer.status).toBeGreaterThanOrEqual(400)
          expect(answer.text).toMatch(/"(message|error)"\s*:\s*"[^"]+/)
        }
        // A sequential pipeline halts at its first failure (409 until resumed): resume it so
        // the next run exercises it again.
        if (name === 'fuzz_seq')
          await trpcCall(
            fixture.engine.baseUrl,
            'pipelines.resume',
            { name: 'fuzz_seq' },
            { mutation: true },
          )
      }),
      { numRuns: runs, endOnFailure: true },
    )
    const health = await getFromEngine(fixture.engine.baseUrl, '/healthz')
    const calm = await ingest(fixture.engine.baseUrl, 'calm', [{ sql: 'SELECT 41 + 1 AS v' }])
    reportFigures('ingest fuzz', {
      runs,
      ...Object.fromEntries(Object.entries(seen).map(([s, n]) => [`status${s}`, n])),
    })
    expect(health.status).toBe(200)
    expect(resultsOf(calm)?.[0]?.status).toBe('succeeded')
  })
})
