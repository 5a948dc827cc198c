import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, trpcCall } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { longRun, reportFigures } from '../testing/figures'
import { ingest, resultsOf } from '../testing/ingestClient'

/*
 * Property: a pipeline config the API accepts gives a pipeline that works, and one it refuses is
 * refused with a 400 naming a field, never a 5xx. Configs are drawn around every bound (0, 1,
 * the limits and one past them, negatives, fractions, strings), for create and for live update.
 */

const runs = longRun ? 300 : 40

/** Mostly values in range (1..max); now and then one at or past a bound, or of the wrong type. */
const edgy = (max: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 1, max: Math.min(max, 5_000) }) },
    { weight: 1, arbitrary: fc.constantFrom(1, max) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(0, max + 1, -1, 1.5, Number.MAX_SAFE_INTEGER, '10', null, true),
    },
  )
const config = fc.record(
  {
    strategy: fc.oneof(
      {
        weight: 12,
        arbitrary: fc.constantFrom('best_effort', 'sequential', 'parallel', 'transactional'),
      },
      { weight: 1, arbitrary: fc.constantFrom('yolo', '', 'BEST_EFFORT') },
    ),
    batchSize: edgy(10_000),
    flushIntervalMs: edgy(1_000),
    maxQueueSize: edgy(1_000_000),
    maxConnections: edgy(64),
    optimize: fc.oneof(
      { weight: 12, arbitrary: fc.boolean() },
      { weight: 1, arbitrary: fc.constant('yes') },
    ),
    retry: fc.record({ maxAttempts: edgy(20), baseDelayMs: edgy(100), maxDelayMs: edgy(1_000) }),
    adaptiveBatchSize: fc.record({
      enabled: fc.boolean(),
      min: edgy(10_000),
      max: edgy(10_000),
      targetLatencyMs: edgy(60_000),
    }),
  },
  { requiredKeys: [] },
)
const patch = fc.record(
  {
    strategy: fc.constantFrom('best_effort', 'sequential', 'parallel', 'transactional'),
    batchSize: edgy(10_000),
    flushIntervalMs: edgy(1_000),
    maxQueueSize: edgy(1_000_000),
    maxConnections: edgy(64),
    retry: fc.record({ maxAttempts: edgy(20), baseDelayMs: edgy(100) }, { requiredKeys: [] }),
    adaptiveBatchSize: fc.record(
      { enabled: fc.boolean(), min: edgy(10_000), max: edgy(10_000) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
)

describe('pipeline config fuzzing', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('config_fuzz')
  })
  afterAll(async () => {
    await fixture.close()
  })

  it(`accepts only configs that work, refuses the rest with a 400 (${runs} runs)`, async () => {
    const base = fixture.engine.baseUrl
    let created = 0
    let refused = 0
    let updated = 0
    let n = 0
    await fc.assert(
      fc.asyncProperty(config, patch, async (first, change) => {
        const name = `fuzz_${n++}`
        const create = await trpcCall(
          base,
          'pipelines.create',
          { name, config: first },
          { mutation: true },
        )
        expect([200, 400], create.text.slice(0, 300)).toContain(create.status)
        if (create.status === 400) {
          refused += 1
          expect(create.errorMessage ?? '').toMatch(/[A-Za-z]+/)
          return
        }
        created += 1
        const update = await trpcCall(
          base,
          'pipelines.update',
          { name, config: change },
          { mutation: true },
        )
        expect([200, 400], update.text.slice(0, 300)).toContain(update.status)
        if (update.status === 200) updated += 1
        // Accepted means working: a query through it succeeds, with whatever config it now has.
        const answer = await ingest(base, name, [{ sql: 'SELECT 1 AS one' }], { timeoutMs: 20_000 })
        expect(answer.status, answer.text.slice(0, 300)).toBe(200)
        expect(resultsOf(answer)?.[0]?.status).toBe('succeeded')
        const deleted = await trpcCall(base, 'pipelines.delete', { name }, { mutation: true })
        expect(deleted.status).toBe(200)
      }),
      { numRuns: runs, endOnFailure: true },
    )
    const health = await getFromEngine(base, '/healthz')
    reportFigures('config fuzz', { runs, created, refused, updatedLive: updated })
    expect(health.status).toBe(200)
    expect(created, 'some configs were valid').toBeGreaterThan(0)
  })
})
