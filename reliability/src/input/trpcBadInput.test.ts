import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline, trpcCall, type TrpcAnswer } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { reportFigures } from '../testing/figures'
import { ingest, resultsOf } from '../testing/ingestClient'

/*
 * Bad input through the tRPC API, sent as raw HTTP (what a script or an attacker sends, not
 * what the typed client would let through). Each case: a 4xx, the tRPC error code, and a
 * message naming the field. Another pipeline keeps working; the engine stays up.
 */

interface BadCall {
  readonly name: string
  readonly call: (base: string) => Promise<TrpcAnswer>
  readonly status: number
  /** The tRPC error code, or the codes that are each right. */
  readonly code: string | readonly string[]
  readonly message: RegExp
}

const create = (config: unknown, name = 'trpc_bad'): ((base: string) => Promise<TrpcAnswer>) => {
  return (base) => trpcCall(base, 'pipelines.create', { name, config }, { mutation: true })
}

const badCalls: readonly BadCall[] = [
  {
    name: 'create: batch size 0',
    call: create({ batchSize: 0 }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /batchSize/,
  },
  {
    name: 'create: negative flush interval',
    call: create({ flushIntervalMs: -1 }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /flushIntervalMs/,
  },
  {
    name: 'create: unknown strategy',
    call: create({ strategy: 'yolo' }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /strategy/,
  },
  {
    name: 'create: max connections 10^9',
    call: create({ maxConnections: 1e9 }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /maxConnections/,
  },
  {
    name: 'create: NaN-ish batch size',
    call: create({ batchSize: 'NaN' }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /batchSize/,
  },
  {
    name: 'create: name with SQL in it',
    call: create({}, "x'; DROP TABLE sluice.pipelines; --"),
    status: 400,
    code: 'BAD_REQUEST',
    message: /name/,
  },
  {
    name: 'create: name of 200 characters',
    call: create({}, 'a'.repeat(200)),
    status: 400,
    code: 'BAD_REQUEST',
    message: /name/,
  },
  {
    name: 'create: adaptive min above max',
    call: create({ adaptiveBatchSize: { enabled: true, min: 500, max: 10, targetLatencyMs: 50 } }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /adaptiveBatchSize/,
  },
  {
    name: 'update: unknown pipeline',
    call: (b) =>
      trpcCall(
        b,
        'pipelines.update',
        { name: 'ghost', config: { batchSize: 5 } },
        { mutation: true },
      ),
    status: 404,
    code: 'NOT_FOUND',
    message: /ghost/,
  },
  {
    name: 'update: batch size 0',
    call: (b) =>
      trpcCall(
        b,
        'pipelines.update',
        { name: 'steady', config: { batchSize: 0 } },
        { mutation: true },
      ),
    status: 400,
    code: 'BAD_REQUEST',
    message: /batchSize/,
  },
  {
    name: 'get: name a number',
    call: (b) => trpcCall(b, 'pipelines.get', { name: 42 }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /name/,
  },
  {
    name: 'get: no input',
    call: (b) => trpcCall(b, 'pipelines.get', undefined),
    status: 400,
    code: 'BAD_REQUEST',
    message: /name|input|expected/i,
  },
  {
    name: 'failures.list: bad SQLSTATE',
    call: (b) => trpcCall(b, 'failures.list', { sqlstate: "'; --" }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /sqlstate/,
  },
  {
    name: 'failures.list: limit 10^6',
    call: (b) => trpcCall(b, 'failures.list', { limit: 1_000_000 }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /limit/,
  },
  {
    name: 'failures.retry: non-numeric id',
    call: (b) => trpcCall(b, 'failures.retry', { ids: ['1 OR 1=1'] }, { mutation: true }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /id/,
  },
  {
    name: 'failures.retry: 70,000 params',
    call: (b) =>
      trpcCall(
        b,
        'failures.retry',
        { ids: ['1'], params: Array.from({ length: 70_000 }, () => 1) },
        { mutation: true },
      ),
    status: 400,
    code: 'BAD_REQUEST',
    message: /params|65[,.]?535/,
  },
  {
    name: 'failures.retry: params nested 10,000 levels deep',
    call: (b) =>
      trpcCall(b, 'failures.retry', undefined, {
        mutation: true,
        rawBody: `{"ids":["1"],"params":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}`,
      }),
    status: 400,
    code: 'BAD_REQUEST',
    message: /deep|depth|nest|params/i,
  },
  {
    name: 'malformed JSON body',
    call: (b) =>
      trpcCall(b, 'pipelines.create', undefined, { mutation: true, rawBody: '{"name": ' }),
    status: 400,
    code: ['PARSE_ERROR', 'BAD_REQUEST'],
    message: /json|parse/i,
  },
  {
    name: 'unknown procedure',
    call: (b) => trpcCall(b, 'pipelines.explode', {}, { mutation: true }),
    status: 404,
    code: 'NOT_FOUND',
    message: /explode|procedure/i,
  },
  {
    name: 'a query sent as a mutation',
    call: (b) => trpcCall(b, 'pipelines.list', {}, { mutation: true }),
    status: 405,
    code: 'METHOD_NOT_SUPPORTED',
    message: /mutation|query|method/i,
  },
]

describe('bad input through the tRPC API', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('trpc_bad')
    await fixture.db.pool.query('CREATE TABLE events (key text NOT NULL)')
    await mustPutPipeline(fixture.engine.baseUrl, 'steady', {
      strategy: 'best_effort',
      batchSize: 20,
      flushIntervalMs: 5,
    })
  })
  afterAll(async () => {
    await fixture.close()
  })

  let runs = 0
  for (const bad of badCalls) {
    const codes: readonly string[] = typeof bad.code === 'string' ? [bad.code] : bad.code
    it(`${bad.name}: ${bad.status} ${codes.join(' or ')} naming the problem`, async () => {
      const answer = await bad.call(fixture.engine.baseUrl)
      expect(answer.status, answer.text.slice(0, 300)).toBe(bad.status)
      expect(codes).toContain(answer.errorCode)
      expect(answer.errorMessage ?? '').toMatch(bad.message)
      // No pipeline appeared from a refused create.
      const list = await trpcCall(fixture.engine.baseUrl, 'pipelines.list', undefined)
      expect((list.data as { name: string }[]).map((p) => p.name).sort()).toEqual(['steady'])
      const key = `steady-${runs++}`
      const ok = await ingest(fixture.engine.baseUrl, 'steady', [
        { sql: 'INSERT INTO events (key) VALUES ($1)', params: [key] },
      ])
      expect(resultsOf(ok)?.[0]?.status).toBe('succeeded')
    })
  }

  it('stays up, and the sluice tables are intact', async () => {
    const health = await getFromEngine(fixture.engine.baseUrl, '/healthz')
    expect(health.status).toBe(200)
    const { rows } = await fixture.db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM sluice.pipelines',
    )
    expect(Number(rows[0]?.n)).toBe(1)
    reportFigures('tRPC bad input', { cases: badCalls.length, engineUp: health.status === 200 })
  })
})
