import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestRequestSchema, type IngestResponse } from '@sluice/contract'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import type { Engine } from '../engine'
import { engineClient, startTestEngine } from '../testing/engineHarness'
import { bodyHash } from './canonicalJson'

let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>

beforeAll(async () => {
  db = await createTestDatabase('idem')
  engine = await startTestEngine(db.url, { idempotency: { leaseMs: 1_500 } })
  client = engineClient(engine.url)
  await db.pool.query('CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)')
  await db.pool.query('CREATE TABLE events (v text NOT NULL)')
  await db.pool.query('INSERT INTO counters VALUES (1, 0), (2, 0)')
  for (const strategy of ['best_effort', 'transactional', 'sequential'] as const)
    await client.pipelines.create.mutate({
      name: strategy,
      config: { strategy, batchSize: 100, flushIntervalMs: 5 },
    })
})

afterAll(async () => {
  await engine.stop()
  await db.drop()
})

interface Sent {
  status: number
  replayed: string | null
  retryAfter: string | null
  text: string
  body: IngestResponse & { error?: { code: string; message: string } }
}

async function send(
  pipeline: string,
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
  url = engine.url,
): Promise<Sent> {
  const response = await fetch(`${url}/v1/pipelines/${pipeline}/queries`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
      ...headers,
    },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  return {
    status: response.status,
    replayed: response.headers.get('idempotent-replayed'),
    retryAfter: response.headers.get('retry-after'),
    text,
    body: JSON.parse(text) as Sent['body'],
  }
}

const count = async (sql: string): Promise<number> =>
  (await db.pool.query<{ n: number }>(sql)).rows[0]?.n ?? -1

describe.each(['best_effort', 'transactional', 'sequential'])('%s pipeline', (pipeline) => {
  it('applies a keyed request once: 5 copies at once, then 5 in sequence, 10 identical answers', async () => {
    const key = `order-${pipeline}`
    const body = {
      group: pipeline === 'transactional',
      queries: [
        { sql: 'UPDATE counters SET n = n + 1 WHERE id = $1 RETURNING n', params: [1] },
        { sql: 'INSERT INTO events (v) VALUES ($1)', params: [`${pipeline}-a`], callbackId: 'a' },
        { sql: 'INSERT INTO events (v) VALUES ($1)', params: [`${pipeline}-b`] },
        { sql: 'SELECT count(*)::int AS n FROM events WHERE v LIKE $1', params: [`${pipeline}-%`] },
      ],
    }
    const before = await count('SELECT n FROM counters WHERE id = 1')
    const atOnce = await Promise.all([1, 2, 3, 4, 5].map(() => send(pipeline, key, body)))
    const inSequence: Sent[] = []
    for (let copy = 0; copy < 5; copy++) inSequence.push(await send(pipeline, key, body))
    const all = [...atOnce, ...inSequence]
    expect(all.map((sent) => sent.status)).toEqual(all.map(() => 200))
    expect(new Set(all.map((sent) => sent.text)).size).toBe(1)
    // One run answered as itself, the nine others as its replays.
    expect(all.filter((sent) => sent.replayed === null)).toHaveLength(1)
    expect(all.filter((sent) => sent.replayed === 'true')).toHaveLength(9)
    const { results } = all[0]?.body ?? { results: [] }
    expect(results.map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ])
    expect(results[0]?.rows).toEqual([{ n: before + 1 }])
    expect(results[3]?.rows).toEqual([{ n: 2 }])
    expect(await count('SELECT n FROM counters WHERE id = 1')).toBe(before + 1)
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE v LIKE '${pipeline}-%'`)).toBe(
      2,
    )
  })
})

describe('Idempotency-Key', () => {
  const body = { queries: [{ sql: 'INSERT INTO events (v) VALUES ($1)', params: ['reuse'] }] }

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body, applying nothing', async () => {
    expect((await send('best_effort', 'reused', body)).status).toBe(200)
    const other = await send('best_effort', 'reused', {
      queries: [{ sql: 'INSERT INTO events (v) VALUES ($1)', params: ['other'] }],
    })
    expect(other.status).toBe(422)
    expect(other.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect(other.body.error?.message).toMatch(/"reused".*another request body/)
    expect(await count("SELECT count(*)::int AS n FROM events WHERE v = 'other'")).toBe(0)
    // Keys are per pipeline: the same key on another pipeline is another request.
    expect((await send('sequential', 'reused', body)).replayed).toBeNull()
  })

  it('refuses a malformed key with 400 naming the header', async () => {
    for (const key of ['x'.repeat(256), '', 'tab\there', 'é']) {
      const refused = await send('best_effort', key, body)
      expect(refused.status, key).toBe(400)
      expect(refused.body.error?.code).toBe('INVALID_INPUT')
      expect(refused.body.error?.message).toMatch(/Idempotency-Key/)
    }
  })

  it('answers 409 REQUEST_IN_PROGRESS with Retry-After to Prefer: wait=0 while the first runs', async () => {
    const slow = { queries: [{ sql: 'SELECT pg_sleep(0.6) IS NULL AS slept' }] }
    const first = send('best_effort', 'slow', slow)
    await new Promise((resolve) => setTimeout(resolve, 150))
    const eager = await send('best_effort', 'slow', slow, { prefer: 'wait=0' })
    expect(eager.status).toBe(409)
    expect(eager.body.error?.code).toBe('REQUEST_IN_PROGRESS')
    expect(eager.retryAfter).toBe('1')
    expect((await first).status).toBe(200)
    const later = await send('best_effort', 'slow', slow, { prefer: 'wait=0' })
    expect(later.replayed).toBe('true')
  })

  it('a duplicate at another engine on the same database waits for the run and gets its answer', async () => {
    const second = await startTestEngine(db.url)
    try {
      const slowWrite = {
        queries: [
          { sql: 'SELECT pg_sleep(0.4) IS NULL AS slept' },
          { sql: 'UPDATE counters SET n = n + 1 WHERE id = 2 RETURNING n' },
        ],
      }
      const before = await count('SELECT n FROM counters WHERE id = 2')
      const [here, there] = await Promise.all([
        send('best_effort', 'two-engines', slowWrite),
        send('best_effort', 'two-engines', slowWrite, {}, second.url),
      ])
      expect(here.text).toBe(there.text)
      expect([here.replayed, there.replayed].sort()).toEqual([null, 'true'].sort())
      expect(await count('SELECT n FROM counters WHERE id = 2')).toBe(before + 1)
    } finally {
      await second.stop()
    }
  })

  it('takes over a run whose engine died: applies only what the ledger lacks, the rest alreadyApplied', async () => {
    const crashed = {
      queries: [
        { sql: 'INSERT INTO events (v) VALUES ($1)', params: ['crash-0'], callbackId: 'zero' },
        { sql: 'INSERT INTO events (v) VALUES ($1)', params: ['crash-1'] },
        { sql: 'SELECT count(*)::int AS n FROM events WHERE v LIKE $1', params: ['crash-%'] },
      ],
    }
    // What a SIGKILL leaves: the run's row with a lease nobody renews, query 0 committed with
    // its ledger row, query 1 not.
    const hash = bodyHash(ingestRequestSchema.parse(crashed))
    await db.pool.query(
      `INSERT INTO sluice.idempotent_requests
         (pipeline, key, body_hash, run_id, state, lease_owner, lease_expires_at, expires_at)
       VALUES ('best_effort', 'crashed', $1, 'run-dead', 'running', 'dead-engine',
               now() + interval '300 milliseconds', now() + interval '1 hour')`,
      [hash],
    )
    await send('best_effort', undefined, { queries: [crashed.queries[0]] })
    await db.pool.query(
      "INSERT INTO sluice.ledger (key, query_index) VALUES ('best_effort:run-dead', 0)",
    )
    const resent = await send('best_effort', 'crashed', crashed)
    expect(resent.status).toBe(200)
    expect(resent.replayed).toBeNull()
    const [zero, one, read] = resent.body.results
    expect(zero).toMatchObject({ status: 'succeeded', alreadyApplied: true, callbackId: 'zero' })
    expect(zero?.rows).toBeUndefined()
    expect(one).toMatchObject({ status: 'succeeded', rowCount: 1 })
    expect(one?.alreadyApplied).toBeUndefined()
    // A read is run again: it sees both rows.
    expect(read?.rows).toEqual([{ n: 2 }])
    expect(await count("SELECT count(*)::int AS n FROM events WHERE v LIKE 'crash-%'")).toBe(2)
    expect((await send('best_effort', 'crashed', crashed)).text).toBe(resent.text)
  })

  it('keeps a huge answer as statuses without rows, and says so on replay', async () => {
    const huge = {
      queries: [{ sql: "SELECT repeat('x', 2000) AS filler FROM generate_series(1, 700)" }],
    }
    const first = await send('best_effort', 'huge', huge)
    expect(first.body.results[0]?.rows).toHaveLength(700)
    const replay = await send('best_effort', 'huge', huge)
    expect(replay.replayed).toBe('true')
    expect(replay.body.rowsOmitted).toBe(true)
    expect(replay.body.results[0]).toMatchObject({ status: 'succeeded', rowCount: 700 })
    expect(replay.body.results[0]?.rows).toBeUndefined()
  })

  it('purges answers past their retention; the key then runs anew', async () => {
    const once = { queries: [{ sql: 'INSERT INTO events (v) VALUES ($1)', params: ['expiring'] }] }
    await send('best_effort', 'expiring', once)
    await db.pool.query(
      "UPDATE sluice.idempotent_requests SET expires_at = now() - interval '1 second' WHERE key = 'expiring'",
    )
    await engine.idempotency.purge()
    expect(
      await count(
        "SELECT count(*)::int AS n FROM sluice.idempotent_requests WHERE key = 'expiring'",
      ),
    ).toBe(0)
    expect((await send('best_effort', 'expiring', once)).replayed).toBeNull()
    expect(await count("SELECT count(*)::int AS n FROM events WHERE v = 'expiring'")).toBe(2)
  })
})

describe('transactions over HTTP', () => {
  const mode = {
    sql: `SELECT current_setting('transaction_isolation') AS isolation,
                 current_setting('transaction_read_only') AS read_only`,
  }

  it('runs a transactional group with its isolation level and read-only mode', async () => {
    const sent = await send('transactional', undefined, {
      queries: [mode, { sql: 'SELECT 1 AS one' }],
      group: true,
      isolation: 'serializable',
      readOnly: true,
      deferrable: true,
    })
    expect(sent.status).toBe(200)
    expect(sent.body.results[0]?.rows).toEqual([{ isolation: 'serializable', read_only: 'on' }])
  })

  it('refuses a mode outside a group, on another strategy, or with an unknown level', async () => {
    const outside = await send('transactional', undefined, { queries: [mode], readOnly: true })
    expect(outside.status).toBe(400)
    expect(outside.body.error?.message).toMatch(/group: true/)
    const sequential = await send('sequential', undefined, {
      queries: [mode],
      group: true,
      isolation: 'repeatable read',
    })
    expect(sequential.status).toBe(400)
    expect(sequential.body.error?.message).toMatch(/is sequential/)
    const unknown = await send('transactional', undefined, {
      queries: [mode],
      group: true,
      isolation: 'snapshot',
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error?.message).toMatch(/isolation must be one of/)
  })
})
