import { startTcpProxy, type TcpProxy } from '@sluice/tcp-proxy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SluiceClient, SluiceClientError } from './index'
import { startTestEngine, type TestEngine } from './testing/testEngine'

let test: TestEngine
let client: SluiceClient

beforeAll(async () => {
  test = await startTestEngine('client')
  await test.db.pool.query('CREATE TABLE orders (id int PRIMARY KEY, total numeric NOT NULL)')
  await test.db.pool.query('CREATE TABLE events (k text NOT NULL)')
  await test.putPipeline('orders', { batchSize: 50, flushIntervalMs: 5 })
  client = new SluiceClient({ url: test.engine.url, token: test.token })
})

afterAll(async () => {
  await test.stop()
})

async function rejection(promise: Promise<unknown>): Promise<SluiceClientError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(SluiceClientError)
  return error as SluiceClientError
}

async function eventsNamed(k: string): Promise<number> {
  const { rows } = await test.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM events WHERE k = $1',
    [k],
  )
  return rows[0]?.n ?? 0
}

describe('send', () => {
  it('answers every query with its own result, in order, a failed query as a result', async () => {
    const sent = await client.pipeline('orders').send([
      { sql: 'INSERT INTO orders (id, total) VALUES ($1, $2)', params: [1, 9.5], callbackId: 'o1' },
      { sql: 'INSERT INTO orders (id, total) VALUES ($1, $2)', params: [1, 3], callbackId: 'dup' },
      { sql: 'SELECT total::float AS total FROM orders WHERE id = $1', params: [1] },
    ])
    expect(sent.results.map((result) => result.status)).toEqual([
      'succeeded',
      'failed',
      'succeeded',
    ])
    expect(sent.results[0]?.callbackId).toBe('o1')
    expect(sent.results[1]?.error?.code).toBe('23505')
    expect(sent.results[2]?.rows).toEqual([{ total: 9.5 }])
    expect(sent.attempts).toBe(1)
    expect(sent.idempotencyKey).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
    // A new key per call.
    const again = await client.pipeline('orders').send([{ sql: 'SELECT 1 AS one' }])
    expect(again.idempotencyKey).not.toBe(sent.idempotencyKey)
  })

  it('takes the token from a function, read for each call', async () => {
    let reads = 0
    const rotating = new SluiceClient({
      url: `${test.engine.url}/`,
      token: () => {
        reads++
        return Promise.resolve(test.token)
      },
    })
    const { results } = await rotating.pipeline('orders').send([{ sql: 'SELECT 2 AS two' }])
    expect(results[0]?.rows).toEqual([{ two: 2 }])
    expect(reads).toBe(1)
  })
})

describe('errors', () => {
  it('carries the engine’s code, status and message, and does not retry what would fail again', async () => {
    const missing = await rejection(client.pipeline('nope').send([{ sql: 'SELECT 1' }]))
    expect(missing).toMatchObject({ code: 'NOT_FOUND', status: 404, attempts: 1 })
    expect(missing.message).toBe('no pipeline named "nope"')

    const invalid = await rejection(client.pipeline('orders').send([{ sql: '' }]))
    expect(invalid).toMatchObject({ code: 'INVALID_INPUT', status: 400, attempts: 1 })
    expect(invalid.message).toContain('sql must not be empty')

    const stranger = new SluiceClient({ url: test.engine.url, token: 'wrong' })
    const refused = await rejection(stranger.pipeline('orders').send([{ sql: 'SELECT 1' }]))
    expect(refused).toMatchObject({ code: 'UNAUTHORIZED', status: 401, attempts: 1 })
  })

  it('says NETWORK after its attempts when nothing answers, with the key to send again with', async () => {
    const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: test.engine.port } })
    proxy.set({ refuseNew: true })
    try {
      const offline = new SluiceClient({
        url: `http://127.0.0.1:${String(proxy.port)}`,
        token: test.token,
        retry: { maxAttempts: 3, initialDelayMs: 10 },
      })
      const error = await rejection(
        offline.pipeline('orders').send([{ sql: 'SELECT 1' }], { idempotencyKey: 'order-42' }),
      )
      expect(error).toMatchObject({ code: 'NETWORK', attempts: 3, idempotencyKey: 'order-42' })
      expect(error.status).toBeUndefined()
      expect(proxy.acceptedConnections).toBe(3)
    } finally {
      await proxy.close()
    }
  })

  it('rejects options it cannot use, naming them', async () => {
    expect(() => new SluiceClient({ url: 'localhost:4000' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }) as Error,
    )
    const error = await rejection(
      client.pipeline('orders').send([{ sql: 'SELECT 1' }], { retry: { maxAttempts: 0 } }),
    )
    expect(error.message).toBe('retry.maxAttempts must be an integer >= 1, got 0')
  })

  it('ends a call at its timeout (TIMEOUT) or when its signal aborts (ABORTED)', async () => {
    const slow = [{ sql: 'SELECT pg_sleep(1)' }]
    // Had it waited for the answer, the query would have succeeded.
    const late = await rejection(client.pipeline('orders').send(slow, { timeoutMs: 150 }))
    expect(late.code).toBe('TIMEOUT')

    const controller = new AbortController()
    setTimeout(() => {
      controller.abort(new Error('user left'))
    }, 100)
    const cancelled = await rejection(
      client.pipeline('orders').send(slow, { signal: controller.signal }),
    )
    expect(cancelled.code).toBe('ABORTED')
    expect((cancelled.cause as Error).message).toBe('user left')
  })
})

describe('retries', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: test.engine.port } })
  })
  afterAll(async () => {
    await proxy.close()
  })

  it('sends again with the same key when the connection drops after the engine got the request, and it applies once', async () => {
    const k = `cut-${String(Date.now())}`
    const throughProxy = new SluiceClient({
      url: `http://127.0.0.1:${String(proxy.port)}`,
      token: test.token,
      retry: { initialDelayMs: 20 },
    })
    // The engine runs the INSERT; its answer is lost on the wire; then the connection is cut.
    proxy.set({ dropRepliesAfter: k })
    const sending = throughProxy
      .pipeline('orders')
      .send([{ sql: 'INSERT INTO events (k) VALUES ($1)', params: [k] }])
    while ((await eventsNamed(k)) === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    proxy.set({ dropRepliesAfter: undefined })
    expect(proxy.cutAll()).toBeGreaterThan(0)
    const sent = await sending
    expect(sent.attempts).toBe(2)
    expect(sent.results[0]?.status).toBe('succeeded')
    // The re-send carried the same key: the engine answered from the first run, ran nothing again.
    expect(sent.replayed).toBe(true)
    expect(await eventsNamed(k)).toBe(1)
  })

  it('waits out 429 (Retry-After) until the pipeline has room', async () => {
    // One query at a time, one waiting: the rest of a burst is refused with 429 at first.
    await test.putPipeline('tiny', {
      strategy: 'sequential',
      batchSize: 1,
      maxQueueSize: 1,
      flushIntervalMs: 0,
    })
    const tiny = client.pipeline('tiny')
    const burst = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        tiny.send([{ sql: 'SELECT $1::int AS i, pg_sleep(0.1)', params: [i] }]),
      ),
    )
    expect(burst.map((sent) => sent.results[0]?.rows)).toEqual(
      [0, 1, 2, 3, 4].map((i) => [{ i, pg_sleep: '' }]),
    )
    expect(burst.some((sent) => sent.attempts > 1)).toBe(true)

    // Without retries the refusal itself comes out, coded, with the engine's Retry-After.
    const refusals = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        tiny.send([{ sql: 'SELECT pg_sleep(0.1)' }], { retry: { maxAttempts: 1 } }),
      ),
    )
    const refused = refusals.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as SluiceClientError] : [],
    )
    expect(refused.length).toBeGreaterThan(0)
    expect(refused[0]).toMatchObject({ code: 'QUEUE_FULL', status: 429, retryAfterMs: 1000 })
  })
})

describe('sendAsync', () => {
  it('gives the results through wait() when the engine ran the request at once', async () => {
    // The engine answers `Prefer: respond-async` synchronously until async ingest lands.
    const request = await client
      .pipeline('orders')
      .sendAsync([{ sql: 'SELECT 3 AS three', callbackId: 'c3' }])
    const { results } = await request.wait()
    expect(results[0]?.rows).toEqual([{ three: 3 }])
    expect(request.queries).toEqual([{ queryId: results[0]?.queryId, callbackId: 'c3' }])
  })
})
