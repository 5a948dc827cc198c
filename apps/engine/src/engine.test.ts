import { createTestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engineClient, postJson, startTestEngine } from './testing/engineHarness'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'

let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('engine')
  await db.pool.query('CREATE TABLE ledger (id int PRIMARY KEY, note text)')
})

afterAll(async () => {
  await db.drop()
})

interface Answer {
  results: { status: string; success: boolean }[]
}

describe('engine lifecycle', () => {
  it('keeps pipeline configs, pause state and failed queries across a restart, and resumes the pipelines', async () => {
    const first = await startTestEngine(db.url)
    const client = engineClient(first.url)
    await client.pipelines.create.mutate({
      name: 'kept',
      config: { strategy: 'parallel', batchSize: 33 },
    })
    await client.pipelines.create.mutate({ name: 'held', config: {} })
    await client.pipelines.pause.mutate({ name: 'held' })
    const answer = await postJson(`${first.url}/v1/pipelines/kept/queries`, {
      queries: [{ sql: 'SELECT * FROM missing_table' }],
    })
    expect((answer.body as Answer).results[0]?.status).toBe('failed')
    await first.stop()

    const second = await startTestEngine(db.url)
    try {
      const again = engineClient(second.url)
      const pipelines = await again.pipelines.list.query()
      expect(pipelines.map((pipeline) => [pipeline.name, pipeline.status.state])).toEqual([
        ['held', 'paused'],
        ['kept', 'running'],
      ])
      expect(pipelines.find((pipeline) => pipeline.name === 'kept')?.config).toMatchObject({
        strategy: 'parallel',
        batchSize: 33,
      })
      const failures = await again.failures.list.query({ pipeline: 'kept' })
      expect(failures.items.map((item) => [item.sql, item.error.code])).toEqual([
        ['SELECT * FROM missing_table', '42P01'],
      ])
      const works = await postJson(`${second.url}/v1/pipelines/kept/queries`, {
        queries: [{ sql: 'SELECT 1 AS one' }],
      })
      expect(works.status).toBe(200)
      await again.pipelines.delete.mutate({ name: 'kept' })
      await again.pipelines.delete.mutate({ name: 'held' })
    } finally {
      await second.stop()
    }
  })

  it('applies config changes live under load without losing or repeating a query', async () => {
    const engine = await startTestEngine(db.url)
    const client = engineClient(engine.url)
    try {
      await client.pipelines.create.mutate({
        name: 'live',
        config: { batchSize: 10, flushIntervalMs: 20 },
      })
      const url = `${engine.url}/v1/pipelines/live/queries`
      const requests: Promise<{ status: number; body: unknown }>[] = []
      let next = 0
      const changes = [
        { batchSize: 200, flushIntervalMs: 5 },
        { strategy: 'sequential' as const },
        { strategy: 'transactional' as const, batchSize: 3 },
        { strategy: 'parallel' as const, maxConnections: 2, optimize: false },
        { strategy: 'best_effort' as const, batchSize: 50, flushIntervalMs: 100 },
      ]
      for (const change of changes) {
        for (let burst = 0; burst < 10; burst++) {
          const ids = Array.from({ length: 20 }, () => next++)
          requests.push(
            postJson(url, {
              queries: ids.map((id) => ({
                sql: 'INSERT INTO ledger (id, note) VALUES ($1, $2)',
                params: [id, 'live'],
              })),
            }),
          )
        }
        // While those are queued or running, change the pipeline.
        const updated = await client.pipelines.update.mutate({ name: 'live', config: change })
        expect(updated.config).toMatchObject(change)
      }
      const answers = await Promise.all(requests)
      expect(answers.every((answer) => answer.status === 200)).toBe(true)
      const statuses = answers.flatMap((answer) =>
        (answer.body as Answer).results.map((result) => result.status),
      )
      expect(statuses).toHaveLength(next)
      expect(statuses.every((status) => status === 'succeeded')).toBe(true)
      const rows = await db.pool.query<{ n: number; distinct_ids: number }>(
        "SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct_ids FROM ledger WHERE note = 'live'",
      )
      expect(rows.rows[0]).toEqual({ n: next, distinct_ids: next })
      const status = (await client.pipelines.get.query({ name: 'live' })).status
      expect(status.totalQueries).toBe(next)
      expect(status.queueSize).toBe(0)
    } finally {
      await engine.stop()
    }
  })

  it('moves a pipeline to another target live: queued queries finish on the old one, none lost', async () => {
    // The second target: a schema of its own on the test server (search_path set in its URL).
    const second = await createTestSchema('engine_target')
    const engine = await startTestEngine(db.url, {
      targets: [{ name: 'second', url: second.url, description: null }],
    })
    const client = engineClient(engine.url)
    try {
      await second.pool.query('CREATE TABLE moved (id int PRIMARY KEY)')
      await db.pool.query('CREATE TABLE moved (id int PRIMARY KEY)')
      await client.pipelines.create.mutate({
        name: 'mover',
        config: { strategy: 'sequential', batchSize: 25, flushIntervalMs: 10 },
      })
      const send = (ids: number[]) =>
        postJson(`${engine.url}/v1/pipelines/mover/queries`, {
          queries: ids.map((id) => ({ sql: 'INSERT INTO moved (id) VALUES ($1)', params: [id] })),
        })
      const batch = (from: number) => Array.from({ length: 20 }, (_, index) => from + index)
      const before = [0, 20, 40, 60].map((from) => send(batch(from)))
      const moved = await client.pipelines.update.mutate({
        name: 'mover',
        config: { target: 'second' },
      })
      expect(moved.config.target).toBe('second')
      const after = [80, 100, 120].map((from) => send(batch(from)))
      const answers = await Promise.all([...before, ...after])
      const statuses = answers.flatMap((answer) =>
        (answer.body as Answer).results.map((result) => result.status),
      )
      expect(statuses).toEqual(Array.from({ length: 140 }, () => 'succeeded'))
      const onFirst = (await db.pool.query<{ id: number }>('SELECT id FROM moved')).rows.map(
        (row) => row.id,
      )
      const onSecond = (await second.pool.query<{ id: number }>('SELECT id FROM moved')).rows.map(
        (row) => row.id,
      )
      expect([...onFirst, ...onSecond].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 140 }, (_, id) => id),
      )
      // Everything sent after the move answered went to the new target.
      expect(onSecond.filter((id) => id >= 80)).toHaveLength(60)
      expect(
        (await client.targets.list.query()).find((target) => target.name === 'second')?.pipelines,
      ).toEqual(['mover'])
    } finally {
      await engine.stop()
      await second.drop()
    }
  })

  it('fails to start on a taken port, saying so, and leaves the first engine working', async () => {
    const first = await startTestEngine(db.url)
    try {
      await expect(startTestEngine(db.url, { port: first.port })).rejects.toThrow(
        `127.0.0.1:${String(first.port)} is already in use`,
      )
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
    } finally {
      await first.stop()
    }
  })

  it('on stop refuses new work with 503 and drains what it accepted', async () => {
    const engine = await startTestEngine(db.url)
    const client = engineClient(engine.url)
    await client.pipelines.create.mutate({
      name: 'drain',
      config: { batchSize: 1000, flushIntervalMs: 60_000 },
    })
    const url = `${engine.url}/v1/pipelines/drain/queries`
    const queued = postJson(url, {
      queries: [1001, 1002, 1003].map((id) => ({
        sql: 'INSERT INTO ledger (id, note) VALUES ($1, $2)',
        params: [id, 'drain'],
      })),
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const stopping = engine.stop()
    const refused = await postJson(url, { queries: [{ sql: 'SELECT 1' }] })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(JSON.stringify(refused.body)).toContain('shutting down')
    const health = await fetch(`${engine.url}/healthz`)
    expect(health.status).toBe(503)
    const answer = await queued
    expect((answer.body as Answer).results.map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ])
    await stopping
    expect(
      (await db.pool.query("SELECT count(*)::int AS n FROM ledger WHERE note = 'drain'")).rows,
    ).toEqual([{ n: 3 }])
  })
})
