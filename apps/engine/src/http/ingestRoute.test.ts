import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../engine'
import { engineClient, eventually, postJson, startTestEngine } from '../testing/engineHarness'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'

let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>
let ingest: string

beforeAll(async () => {
  db = await createTestDatabase('engine')
  engine = await startTestEngine(db.url, { maxBodyBytes: 64 * 1024 })
  client = engineClient(engine.url)
  await db.pool.query(
    'CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0))',
  )
  await client.pipelines.create.mutate({
    name: 'main',
    config: { batchSize: 50, flushIntervalMs: 10 },
  })
  ingest = `${engine.url}/v1/pipelines/main/queries`
})

afterAll(async () => {
  await engine.stop()
  await db.drop()
})

interface Answer {
  results: {
    status: string
    success: boolean
    rows: unknown[]
    rowCount: number
    callbackId?: string
    failureId?: string
    error?: { code?: string; message: string }
  }[]
}

describe('POST /v1/pipelines/:name/queries', () => {
  it('answers every query in order, with rows, and failures already in the store', async () => {
    const answer = await postJson(ingest, {
      queries: [
        {
          sql: 'INSERT INTO accounts (id, balance) VALUES ($1, $2)',
          params: [1, 100],
          callbackId: 'a1',
        },
        {
          sql: 'INSERT INTO accounts (id, balance) VALUES ($1, $2)',
          params: [1, 5],
          callbackId: 'dup',
        },
        { sql: 'SELECT $1::int + 1 AS n', params: [41] },
      ],
    })
    expect(answer.status).toBe(200)
    const { results } = answer.body as Answer
    expect(results.map((result) => result.status)).toEqual(['succeeded', 'failed', 'succeeded'])
    expect(results[0]?.callbackId).toBe('a1')
    expect(results[1]?.error).toMatchObject({ code: '23505' })
    expect(results[2]?.rows).toEqual([{ n: 42 }])
    // Recorded before the answer: readable right away.
    const stored = await db.pool.query<{ sqlstate: string; callback_id: string; params: unknown }>(
      'SELECT sqlstate, callback_id, params FROM sluice.failed_queries WHERE id = $1',
      [results[1]?.failureId],
    )
    expect(stored.rows).toEqual([{ sqlstate: '23505', callback_id: 'dup', params: [1, 5] }])
  })

  it('says a failure is unrecorded (no failureId) when the store cannot take it, still answering 200', async () => {
    // A store that cannot be written (not a transient error: no retries) stands in for one that
    // stayed unavailable through them.
    await db.pool.query('ALTER TABLE sluice.failed_queries RENAME TO failed_queries_away')
    let answer: Awaited<ReturnType<typeof postJson>>
    try {
      answer = await postJson(ingest, {
        queries: [{ sql: 'SELECT 1 AS ok' }, { sql: 'SELECT 1/0 AS boom', callbackId: 'unstored' }],
      })
    } finally {
      await db.pool.query('ALTER TABLE sluice.failed_queries_away RENAME TO failed_queries')
    }
    expect(answer.status).toBe(200)
    const [ok, failed] = (answer.body as Answer).results
    expect(ok?.status).toBe('succeeded')
    expect(failed).toMatchObject({ status: 'failed', error: { code: '22012', unrecorded: true } })
    expect(failed?.failureId).toBeUndefined()
  })

  it('runs a group atomically under the transactional strategy', async () => {
    await client.pipelines.create.mutate({
      name: 'tx',
      config: { strategy: 'transactional', batchSize: 10 },
    })
    const transfer = (amount: number) => ({
      group: true,
      queries: [
        { sql: 'UPDATE accounts SET balance = balance + $1 WHERE id = 1', params: [amount] },
        {
          sql: 'INSERT INTO accounts (id, balance) VALUES (2, $1) ON CONFLICT (id) DO UPDATE SET balance = accounts.balance - $1',
          params: [amount],
        },
      ],
    })
    const ok = await postJson(`${engine.url}/v1/pipelines/tx/queries`, transfer(10))
    expect((ok.body as Answer).results.map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
    ])
    const failed = await postJson(`${engine.url}/v1/pipelines/tx/queries`, transfer(-1000))
    expect((failed.body as Answer).results.map((result) => result.status)).toEqual([
      'failed',
      'rolled_back',
    ])
    expect((await db.pool.query('SELECT balance FROM accounts WHERE id = 1')).rows).toEqual([
      { balance: 110 },
    ])
    const tooBig = await postJson(`${engine.url}/v1/pipelines/tx/queries`, {
      group: true,
      queries: Array.from({ length: 11 }, () => ({ sql: 'SELECT 1' })),
    })
    expect(tooBig.status).toBe(400)
    expect(JSON.stringify(tooBig.body)).toContain('batchSize')
  })

  it.each([
    ['malformed JSON', '{"queries": [', 400, 'body is not valid JSON'],
    ['an empty body', '', 400, 'body is empty'],
    ['a body that is not an object', '[1,2]', 400, 'body must be a JSON object'],
    ['no queries', {}, 400, 'queries'],
    ['an empty list', { queries: [] }, 400, 'queries must hold at least one query'],
    [
      'sql of the wrong type',
      { queries: [{ sql: 42 }] },
      400,
      'queries.0.sql: sql must be a string',
    ],
    [
      'params not an array',
      { queries: [{ sql: 'SELECT $1', params: 'x' }] },
      400,
      'queries.0.params: params must be an array',
    ],
    [
      'group not a boolean',
      { queries: [{ sql: 'SELECT 1' }], group: 'yes' },
      400,
      'group must be true or false',
    ],
    ['a NUL byte in sql', { queries: [{ sql: 'SELECT 1\u0000' }] }, 400, 'NUL byte'],
    [
      'a NUL byte in a parameter',
      { queries: [{ sql: 'SELECT $1', params: ['a\u0000b'] }] },
      400,
      'NUL byte',
    ],
    [
      'a lone surrogate in a parameter',
      '{"queries":[{"sql":"SELECT $1::text","params":["a\\ud800b"]}]}',
      400,
      'lone UTF-16 surrogate',
    ],
    [
      'a NUL byte in an object key of a parameter (jsonb refuses it)',
      { queries: [{ sql: 'SELECT $1::int, $2::jsonb', params: [1, { 'a\u0000': 1 }] }] },
      400,
      'queries.0.params.1: the object key "a\\u0000" contains a NUL byte',
    ],
    [
      'a lone surrogate in a nested object key',
      '{"queries":[{"sql":"SELECT 1"},{"sql":"SELECT $1::jsonb","params":[{"tags":[{"\\udc00x":1}]}]}]}',
      400,
      'queries.1.params.0: the object key "\\udc00x" at .tags[0] contains a lone UTF-16 surrogate',
    ],
    [
      'two statements in one string',
      { queries: [{ sql: 'SELECT 1; SELECT 2' }] },
      400,
      'queries[0]',
    ],
    ['blank sql', { queries: [{ sql: '   ' }] }, 400, 'sql must not be blank'],
    [
      'a parameter nested 10,000 levels deep (20 kB)',
      `{"queries":[{"sql":"SELECT $1::jsonb","params":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}]}`,
      400,
      'queries.0.params.0: the parameter is nested deeper than 32 levels',
    ],
    [
      'an integer beyond 2^53 (JSON would round it)',
      '{"queries":[{"sql":"SELECT $1::bigint, $2::bigint","params":[1,9007199254740993]}]}',
      400,
      'queries.0.params.1: the integer 9007199254740992 is beyond ±9007199254740991',
    ],
  ])('answers %s with a 4xx naming the problem', async (_label, body, status, message) => {
    const answer = await postJson(ingest, body)
    expect(answer.status).toBe(status)
    expect((answer.body as { error: { message: string } }).error.message).toContain(message)
  })

  it('refuses 70,000 parameters, naming the limit', async () => {
    const answer = await postJson(`${engine.url}/v1/pipelines/main/queries`, {
      queries: [{ sql: 'SELECT 1', params: Array.from({ length: 70_000 }, () => 1) }],
    }).catch(() => undefined)
    // 70,000 parameters are ~140 kB, over this engine's 64 kB limit: 413. Under the limit the schema says 65535.
    expect(answer?.status).toBe(413)
    const small = await startTestEngine(db.url)
    try {
      const direct = await postJson(`${small.url}/v1/pipelines/main/queries`, {
        queries: [{ sql: 'SELECT 1', params: Array.from({ length: 70_000 }, () => 1) }],
      })
      expect(direct.status).toBe(400)
      expect(JSON.stringify(direct.body)).toContain('at most 65535')
    } finally {
      await small.stop()
    }
  })

  it('answers 413 for a body over the limit', async () => {
    const answer = await postJson(ingest, { queries: [{ sql: `SELECT '${'x'.repeat(100_000)}'` }] })
    expect(answer.status).toBe(413)
    expect((answer.body as { error: { message: string } }).error.message).toContain(
      'larger than the limit of 65536 bytes',
    )
  })

  it('answers 404 for an unknown pipeline, 400 for a bad name, 405 for a wrong method', async () => {
    const unknown = await postJson(`${engine.url}/v1/pipelines/nope/queries`, {
      queries: [{ sql: 'SELECT 1' }],
    })
    expect(unknown.status).toBe(404)
    expect(JSON.stringify(unknown.body)).toContain('no pipeline named \\"nope\\"')
    const badName = await postJson(`${engine.url}/v1/pipelines/a%20b/queries`, {
      queries: [{ sql: 'SELECT 1' }],
    })
    expect(badName.status).toBe(400)
    const wrongMethod = await fetch(ingest)
    expect(wrongMethod.status).toBe(405)
    expect((await fetch(`${engine.url}/nothing-here`)).status).toBe(404)
  })

  it('answers 429 with Retry-After when the queue is full, and runs what it accepted', async () => {
    await client.pipelines.create.mutate({
      name: 'small',
      config: { strategy: 'sequential', maxQueueSize: 3, batchSize: 3, flushIntervalMs: 60_000 },
    })
    const url = `${engine.url}/v1/pipelines/small/queries`
    const select = (n: number) => ({ sql: 'SELECT $1::int AS n', params: [n] })
    // Two queued, waiting for a third (batchSize) or the one-minute interval.
    const first = postJson(url, { queries: [select(1), select(2)] })
    await eventually(
      async () => (await client.pipelines.get.query({ name: 'small' })).status.queueSize === 2,
    )
    const full = await postJson(url, { queries: [select(3), select(4)] })
    expect(full.status).toBe(429)
    expect(full.headers.get('retry-after')).toBe('1')
    expect((full.body as { error: { code: string } }).error.code).toBe('QUEUE_FULL')
    const tooMany = await postJson(url, { queries: [1, 2, 3, 4].map(select) })
    expect(tooMany.status).toBe(400)
    expect(JSON.stringify(tooMany.body)).toContain('maxQueueSize')
    const third = await postJson(url, { queries: [select(3)] })
    expect((third.body as Answer).results[0]?.rows).toEqual([{ n: 3 }])
    const answer = await first
    expect((answer.body as Answer).results.map((result) => result.rows)).toEqual([
      [{ n: 1 }],
      [{ n: 2 }],
    ])
  })

  it('answers 409 while a sequential pipeline is halted, until it is resumed', async () => {
    await client.pipelines.create.mutate({
      name: 'seq',
      config: { strategy: 'sequential', flushIntervalMs: 5 },
    })
    const url = `${engine.url}/v1/pipelines/seq/queries`
    const failed = await postJson(url, { queries: [{ sql: 'SELECT 1/0' }, { sql: 'SELECT 1' }] })
    expect((failed.body as Answer).results.map((result) => result.status)).toEqual([
      'failed',
      'skipped',
    ])
    const halted = await postJson(url, { queries: [{ sql: 'SELECT 1' }] })
    expect(halted.status).toBe(409)
    expect(JSON.stringify(halted.body)).toContain('resume')
    expect((await client.pipelines.get.query({ name: 'seq' })).status.state).toBe('halted')
    await client.pipelines.resume.mutate({ name: 'seq' })
    expect((await postJson(url, { queries: [{ sql: 'SELECT 1' }] })).status).toBe(200)
  })

  it('answers every arbitrary body with 200 or a 4xx, and stays up (fuzz)', async () => {
    const query = fc.record(
      {
        sql: fc.oneof(fc.string(), fc.constant('SELECT $1::text AS v'), fc.integer()),
        params: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string()),
      },
      { requiredKeys: [] },
    )
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            queries: fc.array(query, { maxLength: 4 }),
            group: fc.oneof(fc.boolean(), fc.string()),
          },
          { requiredKeys: ['queries'] },
        )
        .map((value) => JSON.stringify(value)),
    )
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const answer = await postJson(ingest, raw)
        expect(answer.status === 200 || (answer.status >= 400 && answer.status < 500)).toBe(true)
        if (answer.status !== 200)
          expect(
            (answer.body as { error: { message: string } }).error.message.length,
          ).toBeGreaterThan(5)
      }),
      { numRuns: 60 },
    )
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200)
  })
})

describe('pipelines as code (/v1/pipelines)', () => {
  it('creates with PUT (201), updates with PUT (200), lists, gets and deletes', async () => {
    const created = await postJson(
      `${engine.url}/v1/pipelines/deploy`,
      { strategy: 'parallel', batchSize: 25 },
      { method: 'PUT' },
    )
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'deploy',
      config: { strategy: 'parallel', batchSize: 25 },
    })
    const updated = await postJson(
      `${engine.url}/v1/pipelines/deploy`,
      { strategy: 'best_effort' },
      { method: 'PUT' },
    )
    expect(updated.status).toBe(200)
    // PUT replaces the whole config: batchSize goes back to its default.
    expect(updated.body).toMatchObject({ config: { strategy: 'best_effort', batchSize: 100 } })
    const invalid = await postJson(
      `${engine.url}/v1/pipelines/deploy`,
      { batchSize: 0 },
      { method: 'PUT' },
    )
    expect(invalid.status).toBe(400)
    expect(JSON.stringify(invalid.body)).toContain('batchSize: batchSize must be at least 1')
    const list = (await (await fetch(`${engine.url}/v1/pipelines`)).json()) as {
      pipelines: { name: string }[]
    }
    expect(list.pipelines.map((pipeline) => pipeline.name)).toContain('deploy')
    expect((await fetch(`${engine.url}/v1/pipelines/deploy`)).status).toBe(200)
    expect((await fetch(`${engine.url}/v1/pipelines/deploy`, { method: 'DELETE' })).status).toBe(
      200,
    )
    expect((await fetch(`${engine.url}/v1/pipelines/deploy`)).status).toBe(404)
  })
})
