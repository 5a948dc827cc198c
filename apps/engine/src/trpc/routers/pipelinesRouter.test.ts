import { PIPELINE_DEFAULTS } from '@sluice/contract'
import { QueryPipeline } from '@sluice/pipeline-core'
import { TRPCClientError } from '@trpc/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../../engine'
import type { AppRouter } from '../../router'
import { engineClient, postJson, startTestEngine } from '../../testing/engineHarness'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'

let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>

beforeAll(async () => {
  db = await createTestDatabase('engine')
  engine = await startTestEngine(db.url)
  client = engineClient(engine.url)
  await db.pool.query('CREATE TABLE items (id int PRIMARY KEY, v text)')
})

afterAll(async () => {
  await engine.stop()
  await db.drop()
})

async function trpcError(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await call
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>
    throw error
  }
  throw new Error('expected the call to fail')
}

describe('pipelines router', () => {
  it('creates a pipeline with defaults, lists it and gets it', async () => {
    const created = await client.pipelines.create.mutate({
      name: 'orders',
      config: { strategy: 'transactional', batchSize: 20 },
    })
    expect(created.config).toMatchObject({
      strategy: 'transactional',
      batchSize: 20,
      target: 'default',
      flushIntervalMs: PIPELINE_DEFAULTS.flushIntervalMs,
    })
    expect(created.status.state).toBe('running')
    const list = await client.pipelines.list.query()
    expect(list.map((pipeline) => pipeline.name)).toContain('orders')
    const got = await client.pipelines.get.query({ name: 'orders' })
    expect(got.config.batchSize).toBe(20)
  })

  it('gives a pipeline created with nothing set the very settings pipeline-core defaults to', async () => {
    const created = await client.pipelines.create.mutate({ name: 'plain' })
    const library = new QueryPipeline({ name: 'plain', connection: db.url })
    try {
      const { target, ...settings } = created.config
      const { retainResults: _onlyInTheLibrary, ...librarySettings } = library.settings
      expect(target).toBe('default')
      expect(settings).toEqual(librarySettings)
      const viaRest = await postJson(`${engine.url}/v1/pipelines/plain-rest`, {}, { method: 'PUT' })
      expect(viaRest.status).toBe(201)
      expect((viaRest.body as { config: unknown }).config).toEqual(created.config)
    } finally {
      await library.close()
      await client.pipelines.delete.mutate({ name: 'plain' })
      await client.pipelines.delete.mutate({ name: 'plain-rest' })
    }
  })

  it('refuses a duplicate name, an unknown target and invalid fields, naming the field', async () => {
    expect((await trpcError(client.pipelines.create.mutate({ name: 'orders' }))).data?.code).toBe(
      'CONFLICT',
    )
    const unknownTarget = await trpcError(
      client.pipelines.create.mutate({ name: 'x1', config: { target: 'nowhere' } }),
    )
    expect(unknownTarget.message).toContain('no target named "nowhere"')
    const invalid = await trpcError(
      client.pipelines.create.mutate({ name: 'x2', config: { batchSize: 0, flushIntervalMs: -5 } }),
    )
    expect(invalid.data?.code).toBe('BAD_REQUEST')
    expect(invalid.data?.fieldErrors).toMatchObject({
      'config.batchSize': 'batchSize must be at least 1',
      'config.flushIntervalMs': 'flushIntervalMs must be at least 0',
    })
    const badStrategy = await trpcError(
      client.pipelines.create.mutate({ name: 'x3', config: { strategy: 'fastest' as 'parallel' } }),
    )
    expect(badStrategy.message).toContain('strategy must be one of')
    const badName = await trpcError(client.pipelines.create.mutate({ name: 'no spaces' }))
    expect(badName.message).toContain('name may hold only letters')
    expect((await client.pipelines.list.query()).map((pipeline) => pipeline.name)).toEqual([
      'orders',
    ])
  })

  it('updates live, merging nested fields, and validates the merged config', async () => {
    const updated = await client.pipelines.update.mutate({
      name: 'orders',
      config: { batchSize: 7, retry: { maxAttempts: 5 } },
    })
    expect(updated.config.batchSize).toBe(7)
    expect(updated.config.retry).toEqual({ ...PIPELINE_DEFAULTS.retry, maxAttempts: 5 })
    expect(updated.config.strategy).toBe('transactional')
    const crossField = await trpcError(
      client.pipelines.update.mutate({
        name: 'orders',
        config: { adaptiveBatchSize: { min: 500, max: 10 } },
      }),
    )
    expect(crossField.message).toContain(
      'adaptiveBatchSize.min must not exceed adaptiveBatchSize.max',
    )
    expect(
      (await trpcError(client.pipelines.update.mutate({ name: 'ghost', config: {} }))).data?.code,
    ).toBe('NOT_FOUND')
  })

  it('pauses (ingest answers 503), flushes, resumes and runs the queued work', async () => {
    const paused = await client.pipelines.pause.mutate({ name: 'orders' })
    expect(paused.paused).toBe(true)
    expect(paused.status.state).toBe('paused')
    const refused = await postJson(`${engine.url}/v1/pipelines/orders/queries`, {
      queries: [{ sql: 'SELECT 1' }],
    })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(JSON.stringify(refused.body)).toContain('paused')
    const resumed = await client.pipelines.resume.mutate({ name: 'orders' })
    expect(resumed.status.state).toBe('running')

    await client.pipelines.update.mutate({
      name: 'orders',
      config: { batchSize: 1000, flushIntervalMs: 60_000 },
    })
    const pending = postJson(`${engine.url}/v1/pipelines/orders/queries`, {
      queries: [{ sql: 'INSERT INTO items (id, v) VALUES ($1, $2)', params: [1, 'one'] }],
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await client.pipelines.get.query({ name: 'orders' })).status.queueSize).toBe(1)
    const flushed = await client.pipelines.flush.mutate({ name: 'orders' })
    expect(flushed.queued).toBe(1)
    const answer = await pending
    expect(answer.status).toBe(200)
    expect((await db.pool.query('SELECT v FROM items WHERE id = 1')).rows).toEqual([{ v: 'one' }])
  })

  it('deletes a pipeline after draining it', async () => {
    await client.pipelines.create.mutate({
      name: 'temp',
      config: { batchSize: 1000, flushIntervalMs: 60_000 },
    })
    const pending = postJson(`${engine.url}/v1/pipelines/temp/queries`, {
      queries: [{ sql: 'INSERT INTO items (id, v) VALUES ($1, $2)', params: [2, 'two'] }],
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await client.pipelines.delete.mutate({ name: 'temp' })).toEqual({ deleted: 'temp' })
    expect((await pending).status).toBe(200)
    expect((await db.pool.query('SELECT v FROM items WHERE id = 2')).rows).toEqual([{ v: 'two' }])
    expect((await trpcError(client.pipelines.get.query({ name: 'temp' }))).data?.code).toBe(
      'NOT_FOUND',
    )
    const gone = await postJson(`${engine.url}/v1/pipelines/temp/queries`, {
      queries: [{ sql: 'SELECT 1' }],
    })
    expect(gone.status).toBe(404)
  })
})

describe('targets and health routers', () => {
  it('lists the default target without credentials and checks it', async () => {
    const targets = await client.targets.list.query()
    expect(targets).toEqual([
      expect.objectContaining({
        name: 'default',
        isDefault: true,
        host: '127.0.0.1',
        pipelines: ['orders'],
      }),
    ])
    const check = await client.targets.check.query({ name: 'default' })
    expect(check).toMatchObject({ name: 'default', reachable: true, error: null })
    expect(check.serverVersion).toMatch(/^\d+/)
    expect((await trpcError(client.targets.check.query({ name: 'elsewhere' }))).data?.code).toBe(
      'NOT_FOUND',
    )
  })

  it('reports health', async () => {
    const health = await client.health.get.query()
    expect(health).toMatchObject({
      status: 'ok',
      database: { reachable: true, embedded: false },
      pipelines: { total: 1, running: 1 },
      authRequired: false,
    })
    const healthz = await fetch(`${engine.url}/healthz`)
    expect(healthz.status).toBe(200)
  })
})
