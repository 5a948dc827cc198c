import { ENGINE_ERRORS, type EngineErrorCode } from '@sluice/contract'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { TRPCError } from '@trpc/server'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../engine'
import { engineClient, postJson, startTestEngine } from '../testing/engineHarness'

/*
 * A refused request answers the same on both APIs: pipeline-core decides the refusal once, and
 * each reason has one engine code with one HTTP status and one tRPC code.
 */

let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>

interface Answer {
  results: { status: string; failureId?: string }[]
}
interface Refusal {
  error: { code: string; message: string }
}

const ingest = (pipeline: string, queries: unknown[]) =>
  postJson(`${engine.url}/v1/pipelines/${pipeline}/queries`, { queries })

/** A failed query of `pipeline` in the store, to retry over tRPC. */
async function failureOf(pipeline: string): Promise<string> {
  const answer = await ingest(pipeline, [{ sql: 'INSERT INTO missing_table VALUES (1)' }])
  const id = (answer.body as Answer).results[0]?.failureId
  if (id === undefined) throw new Error(`no failure recorded: ${JSON.stringify(answer.body)}`)
  return id
}

beforeAll(async () => {
  db = await createTestDatabase('engine_refusals')
  engine = await startTestEngine(db.url)
  client = engineClient(engine.url)
})

afterAll(async () => {
  await engine.stop()
  await db.drop()
})

describe('refusals', () => {
  it('each engine code answers one HTTP status, and its tRPC code the same status', () => {
    for (const [code, { http, trpc }] of Object.entries(ENGINE_ERRORS)) {
      const status = getHTTPStatusCodeFromError(new TRPCError({ code: trpc }))
      expect({ code, status }).toEqual({ code: code as EngineErrorCode, status: http })
    }
  })

  it('a paused pipeline refuses new queries with 503 on REST and PIPELINE_PAUSED on tRPC', async () => {
    await client.pipelines.create.mutate({ name: 'held', config: { flushIntervalMs: 5 } })
    const failure = await failureOf('held')
    await client.pipelines.pause.mutate({ name: 'held' })

    const refused = await ingest('held', [{ sql: 'SELECT 1' }, { sql: 'SELECT 2' }])
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect((refused.body as Refusal).error.code).toBe('PIPELINE_PAUSED')
    expect((refused.body as Refusal).error.message).toContain('is paused')

    const retried = await client.failures.retry.mutate({ ids: [failure] })
    expect(retried.outcomes).toEqual([
      {
        id: failure,
        outcome: 'not_retried',
        error: expect.objectContaining({ code: 'PIPELINE_PAUSED' }) as unknown,
      },
    ])
    const view = await client.pipelines.get.query({ name: 'held' })
    expect(view.status).toMatchObject({ state: 'paused', totalQueries: 1 })

    await client.pipelines.resume.mutate({ name: 'held' })
    expect((await ingest('held', [{ sql: 'SELECT 1' }])).status).toBe(200)
  })

  it('a halted sequential pipeline refuses with 409 on REST and PIPELINE_HALTED on tRPC', async () => {
    await client.pipelines.create.mutate({
      name: 'chain',
      config: { strategy: 'sequential', flushIntervalMs: 5 },
    })
    const failure = await failureOf('chain')
    const refused = await ingest('chain', [{ sql: 'SELECT 1' }])
    expect(refused.status).toBe(409)
    expect((refused.body as Refusal).error.code).toBe('PIPELINE_HALTED')
    const retried = await client.failures.retry.mutate({ ids: [failure] })
    expect(retried.outcomes[0]).toMatchObject({
      outcome: 'not_retried',
      error: { code: 'PIPELINE_HALTED' },
    })
    await client.pipelines.resume.mutate({ name: 'chain' })
    expect((await ingest('chain', [{ sql: 'SELECT 1' }])).status).toBe(200)
  })

  it('a request the queue has no room for is refused whole with 429: none of it runs', async () => {
    await client.pipelines.create.mutate({
      name: 'narrow',
      config: { batchSize: 2, maxQueueSize: 3, flushIntervalMs: 60_000 },
    })
    await db.pool.query('CREATE TABLE narrow_rows (v int)')
    const insert = (v: number) => ({ sql: 'INSERT INTO narrow_rows VALUES ($1)', params: [v] })
    // One queued query waits for the flush interval (a batch of 2 would start at once).
    const waiting = ingest('narrow', [insert(1)])
    await new Promise((resolve) => setTimeout(resolve, 50))
    const refused = await ingest('narrow', [insert(2), insert(3), insert(4)])
    expect(refused.status).toBe(429)
    expect((refused.body as Refusal).error.code).toBe('QUEUE_FULL')
    const tooMany = await ingest('narrow', [1, 2, 3, 4].map(insert))
    expect(tooMany.status).toBe(400)
    expect((tooMany.body as Refusal).error.message).toContain('maxQueueSize')
    await client.pipelines.flush.mutate({ name: 'narrow' })
    expect((await waiting).status).toBe(200)
    const rows = await db.pool.query<{ v: number }>('SELECT v FROM narrow_rows ORDER BY v')
    expect(rows.rows.map((row) => row.v)).toEqual([1])
  })
})
