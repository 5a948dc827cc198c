import { TRPCClientError } from '@trpc/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../../engine'
import { engineClient, postJson, startTestEngine } from '../../testing/engineHarness'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { FailedQueryStore } from '../../stores/failedQueryStore'
import { FailureWriter } from '../../stores/failureWriter'

let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>

interface Answer {
  results: { status: string; failureId?: string }[]
}

const insertUser = (id: number, email: string) => ({
  sql: 'INSERT INTO users (id, email) VALUES ($1, $2)',
  params: [id, email],
  callbackId: `user-${id}`,
})

async function send(pipeline: string, queries: unknown[]): Promise<Answer> {
  const answer = await postJson(`${engine.url}/v1/pipelines/${pipeline}/queries`, { queries })
  expect(answer.status).toBe(200)
  return answer.body as Answer
}

beforeAll(async () => {
  db = await createTestDatabase('engine')
  engine = await startTestEngine(db.url)
  client = engineClient(engine.url)
  await db.pool.query('CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE)')
  await client.pipelines.create.mutate({ name: 'signup', config: { flushIntervalMs: 5 } })
  await client.pipelines.create.mutate({ name: 'other', config: { flushIntervalMs: 5 } })
  await db.pool.query(
    "INSERT INTO users VALUES (1, 'taken@example.com'), (2, 'two@example.com'), (3, 'three@example.com')",
  )
  // Three unique violations on `signup`, one division by zero on `other`.
  await send('signup', [
    insertUser(1, 'one@example.com'),
    insertUser(20, 'two@example.com'),
    insertUser(3, 'x@example.com'),
  ])
  await send('other', [{ sql: 'SELECT 1/0 AS boom' }])
})

afterAll(async () => {
  await engine.stop()
  await db.drop()
})

describe('failures router', () => {
  it('lists failed queries newest first, filtered by pipeline, SQLSTATE, text and time, with paging and counts', async () => {
    const all = await client.failures.list.query({})
    expect(all.total).toBe(4)
    expect(all.items.map((item) => item.pipeline).sort()).toEqual([
      'other',
      'signup',
      'signup',
      'signup',
    ])
    const bySqlstate = await client.failures.list.query({ sqlstate: '23505' })
    expect(bySqlstate.total).toBe(3)
    expect(
      bySqlstate.items.every(
        (item) => item.error.code === '23505' && item.error.detail?.includes('already exists'),
      ),
    ).toBe(true)
    expect((await client.failures.list.query({ pipeline: 'other' })).items[0]).toMatchObject({
      sql: 'SELECT 1/0 AS boom',
      error: { code: '22012', message: 'division by zero' },
      status: 'failed',
      attempts: 1,
      outcome: 'failed',
    })
    const byText = await client.failures.list.query({ text: 'USERS_EMAIL_KEY' })
    expect(byText.total).toBe(1)
    expect(byText.items[0]?.params).toEqual([20, 'two@example.com'])
    expect((await client.failures.list.query({ text: '100%' })).total).toBe(0)
    expect((await client.failures.list.query({ from: Date.now() + 60_000 })).total).toBe(0)
    expect(
      (await client.failures.list.query({ to: new Date(Date.now() + 60_000).toISOString() })).total,
    ).toBe(4)
    const page1 = await client.failures.list.query({ limit: 3 })
    expect(page1.items).toHaveLength(3)
    expect(page1.nextOffset).toBe(3)
    const page2 = await client.failures.list.query({ limit: 3, offset: 3 })
    expect(page2.items).toHaveLength(1)
    expect(page2.nextOffset).toBeNull()
    expect(new Set([...page1.items, ...page2.items].map((item) => item.id)).size).toBe(4)
    expect(await client.failures.count.query({ pipeline: 'signup' })).toEqual({ count: 3 })
  })

  it('gets one failed query, and answers NOT_FOUND or BAD_REQUEST for bad ids', async () => {
    const [first] = (await client.failures.list.query({ pipeline: 'other' })).items
    const got = await client.failures.get.query({ id: first?.id ?? '' })
    expect(got).toEqual(first)
    await expect(client.failures.get.query({ id: '999999' })).rejects.toThrow(
      'no failed query with id 999999',
    )
    await expect(client.failures.get.query({ id: 'abc' })).rejects.toThrow(
      'id must be a failed query id',
    )
  })

  it('retries a failed query after its cause was fixed, and counts a failed retry as one more attempt', async () => {
    const [failure] = (
      await client.failures.list.query({ text: 'users_pkey', pipeline: 'signup' })
    ).items.filter((item) => item.callbackId === 'user-1')
    if (!failure) throw new Error('expected the user-1 failure')
    // The same id twice, and a second retry while the first waits in the queue: it runs once.
    await client.pipelines.update.mutate({ name: 'signup', config: { flushIntervalMs: 500 } })
    const [again, concurrent] = await Promise.all([
      client.failures.retry.mutate({ ids: [failure.id, failure.id] }),
      client.failures.retry.mutate({ ids: [failure.id] }),
    ])
    expect([again.failed + concurrent.failed, again.notRetried + concurrent.notRetried]).toEqual([
      1, 1,
    ])
    expect(again.matched).toBe(1)
    await client.pipelines.update.mutate({ name: 'signup', config: { flushIntervalMs: 5 } })
    expect((await client.failures.get.query({ id: failure.id })).attempts).toBe(2)

    await db.pool.query('DELETE FROM users WHERE id = 1') // the fix
    const report = await client.failures.retry.mutate({ ids: [failure.id] })
    expect(report).toMatchObject({
      matched: 1,
      resolved: 1,
      failed: 0,
      outcomes: [{ id: failure.id, outcome: 'resolved' }],
    })
    expect((await db.pool.query('SELECT email FROM users WHERE id = 1')).rows).toEqual([
      { email: 'one@example.com' },
    ])
    const resolved = await client.failures.get.query({ id: failure.id })
    expect(resolved).toMatchObject({ status: 'resolved', attempts: 3 })
    expect(resolved.resolvedAt).not.toBeNull()
    // A resolved query is not retried again.
    expect(await client.failures.retry.mutate({ ids: [failure.id] })).toMatchObject({
      notRetried: 1,
    })
    expect((await client.failures.list.query({ status: 'any' })).total).toBe(4)
  })

  it('retries with edited parameters (one query only)', async () => {
    const [failure] = (await client.failures.list.query({ text: 'users_email_key' })).items
    if (!failure) throw new Error('expected the email failure')
    const report = await client.failures.retry.mutate({
      ids: [failure.id],
      params: [21, 'fresh@example.com'],
    })
    expect(report.resolved).toBe(1)
    expect((await db.pool.query('SELECT email FROM users WHERE id = 21')).rows).toEqual([
      { email: 'fresh@example.com' },
    ])
    expect((await client.failures.get.query({ id: failure.id })).params).toEqual([
      21,
      'fresh@example.com',
    ])
    const error = await client.failures.retry
      .mutate({ ids: ['1', '2'], params: [1] })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TRPCClientError)
    expect((error as Error).message).toContain(
      'edited params can be given only when retrying a single failed query',
    )
  })

  it('refuses edited params nested too deep or beyond exact integers with a 400 naming them', async () => {
    const [failure] = (await client.failures.list.query({})).items
    if (!failure) throw new Error('expected a failure')
    const deep = await postJson(
      `${engine.url}/trpc/failures.retry`,
      `{"ids":["${failure.id}"],"params":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}`,
    )
    expect(deep.status).toBe(400)
    expect(JSON.stringify(deep.body)).toContain(
      'params.0: the parameter is nested deeper than 32 levels',
    )
    const big = await client.failures.retry
      .mutate({ ids: [failure.id], params: [2 ** 53 + 2] })
      .catch((caught: unknown) => caught)
    expect(big).toBeInstanceOf(TRPCClientError)
    expect((big as Error).message).toContain('params.0: the integer 9007199254740994 is beyond')
    expect((await client.failures.get.query({ id: failure.id })).status).toBe(failure.status)
  })

  it('refuses edited params with a NUL byte or lone surrogate in an object key, naming where', async () => {
    const [failure] = (await client.failures.list.query({})).items
    if (!failure) throw new Error('expected a failure')
    const nul = await client.failures.retry
      .mutate({ ids: [failure.id], params: [1, { outer: { 'k\u0000': 'v' } }] })
      .catch((caught: unknown) => caught)
    expect(nul).toBeInstanceOf(TRPCClientError)
    expect((nul as Error).message).toContain(
      'params.1: the object key "k\\u0000" at .outer contains a NUL byte',
    )
    const surrogate = await postJson(
      `${engine.url}/trpc/failures.retry`,
      `{"ids":["${failure.id}"],"params":[{"\\ud800":1}]}`,
    )
    expect(surrogate.status).toBe(400)
    expect(JSON.stringify(surrogate.body)).toContain('lone UTF-16 surrogate')
    const after = await client.failures.get.query({ id: failure.id })
    expect({ attempts: after.attempts, status: after.status }).toEqual({
      attempts: failure.attempts,
      status: failure.status,
    })
  })

  it('retries all matching a filter, answering the counts', async () => {
    await send('signup', [insertUser(2, 'dupe-a@example.com'), insertUser(3, 'dupe-b@example.com')])
    expect(await client.failures.count.query({ pipeline: 'signup', sqlstate: '23505' })).toEqual({
      count: 3,
    })
    await db.pool.query('DELETE FROM users WHERE id IN (2, 3)')
    const report = await client.failures.retryAll.mutate({ pipeline: 'signup', sqlstate: '23505' })
    // Rows 2 and 3 are now free; three queries want them, so exactly two win and one fails again.
    expect(report).toMatchObject({
      matched: 3,
      resolved: 2,
      failed: 1,
      notRetried: 0,
      outcomes: [],
    })
    expect(await client.failures.count.query({ pipeline: 'signup' })).toEqual({ count: 1 })
    expect(
      (await db.pool.query('SELECT count(*)::int AS n FROM users WHERE id IN (2, 3)')).rows,
    ).toEqual([{ n: 2 }])
  })

  it('re-runs a query whose COMMIT answer was lost only when the operator says so', async () => {
    const inserted = await db.pool.query<{ id: string }>(
      `INSERT INTO sluice.failed_queries (pipeline, sql, params, outcome, error_message, outcome_unknown)
       VALUES ('signup', 'SELECT $1::int AS n', '[7]', 'failed', 'connection lost after COMMIT', true) RETURNING id::text`,
    )
    const id = inserted.rows[0]?.id ?? ''
    expect((await client.failures.get.query({ id })).error.outcomeUnknown).toBe(true)
    const refused = await client.failures.retry.mutate({ ids: [id] })
    expect(refused.outcomes[0]?.error?.message).toContain('may have applied')
    expect(
      await client.failures.retryAll.mutate({ pipeline: 'signup', text: 'SELECT $1::int' }),
    ).toMatchObject({
      matched: 1,
      notRetried: 1,
    })
    const allowed = await client.failures.retry.mutate({ ids: [id], allowOutcomeUnknown: true })
    expect(allowed).toMatchObject({ resolved: 1 })
  })

  it('discards selected and all matching failed queries', async () => {
    const [other] = (await client.failures.list.query({ pipeline: 'other' })).items
    expect(await client.failures.discard.mutate({ ids: [other?.id ?? '0'] })).toEqual({ count: 1 })
    expect((await client.failures.get.query({ id: other?.id ?? '0' })).status).toBe('discarded')
    expect((await client.failures.list.query({ status: 'discarded' })).total).toBe(1)
    expect(await client.failures.discardAll.mutate({ pipeline: 'signup' })).toEqual({ count: 1 })
    expect(await client.failures.count.query({})).toEqual({ count: 0 })
    expect((await client.pipelines.get.query({ name: 'signup' })).openFailures).toBe(0)
  })
})

describe('a failed query whose params PostgreSQL could not store as sent', () => {
  it('shows them as sent and marked, retries only with edited params, and clears the mark', async () => {
    // Written as the engine's writer does when jsonb refuses a record (e.g. from before keys were validated).
    const [id] = await new FailureWriter(new FailedQueryStore(db.pool)).record([
      {
        pipeline: 'signup',
        sql: 'INSERT INTO users (id, email) VALUES ($1, $2)',
        params: [30, { 'a\u0000': 1 }],
        outcome: 'failed',
        error: { message: 'unsupported Unicode escape sequence', code: '22P05' },
        attempts: 1,
        batchId: null,
        traceId: null,
        callbackId: 'marked',
      },
    ])
    if (id === undefined) throw new Error('expected the record to be kept')
    const stored = await client.failures.get.query({ id })
    expect(stored.params).toEqual([30, { 'a\u0000': 1 }])
    expect(stored.paramsUnstorable).toMatchObject({ code: '22P05', kept: true })
    const asStored = await client.failures.retry.mutate({ ids: [id] })
    expect(asStored.outcomes[0]).toMatchObject({ outcome: 'not_retried' })
    expect(asStored.outcomes[0]?.error?.message).toContain('retry it with edited params')
    expect(await client.failures.retryAll.mutate({ pipeline: 'signup' })).toMatchObject({
      matched: 1,
      notRetried: 1,
    })
    const edited = await client.failures.retry.mutate({
      ids: [id],
      params: [30, 'marked@example.com'],
    })
    expect(edited.resolved).toBe(1)
    const resolved = await client.failures.get.query({ id })
    expect(resolved).toMatchObject({ status: 'resolved', params: [30, 'marked@example.com'] })
    expect(resolved.paramsUnstorable).toBeUndefined()
    expect((await db.pool.query('SELECT email FROM users WHERE id = 30')).rows).toEqual([
      { email: 'marked@example.com' },
    ])
  })
})
