import { startTcpProxy, throughProxy, type TcpProxy } from '@sluice/tcp-proxy'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../engine'
import { engineClient, eventually, postJson, startTestEngine } from '../testing/engineHarness'

/*
 * Two engines in one process on one database, without NATS: the metrics travel through the
 * database, a change made while an engine had lost its database reaches it once it is back, and
 * a halt outlives the engine it happened on. Engine B reaches the database through a proxy that
 * can cut it off.
 */

let db: TestDatabase
let proxy: TcpProxy
let a: Engine
let b: Engine

beforeAll(async () => {
  db = await createTestDatabase('cluster')
  await db.pool.query('CREATE TABLE halt_items (id int PRIMARY KEY)')
  proxy = await startTcpProxy({ target: db.url })
  a = await startTestEngine(db.url, { engineId: 'engine-a' })
  b = await startTestEngine(throughProxy(db.url, proxy), { engineId: 'engine-b' })
})

afterAll(async () => {
  await Promise.all([a.stop(), b.stop()])
  await proxy.close()
  await db.drop()
})

const ingest = (engine: Engine, pipeline: string, queries: unknown[]) =>
  postJson(`${engine.url}/v1/pipelines/${pipeline}/queries`, { queries })

describe('a cluster without NATS', () => {
  it('shares metrics through the database: each engine answers both engines’ numbers', async () => {
    await engineClient(a.url).pipelines.create.mutate({ name: 'shared', config: {} })
    await eventually(() => b.registry.find('shared') !== undefined, 2_000, 'engine b has it')
    const one = { sql: 'SELECT 1' }
    expect((await ingest(a, 'shared', [one, one])).status).toBe(200)
    expect((await ingest(b, 'shared', [one, one, one, one])).status).toBe(200)

    for (const engine of [a, b]) {
      const client = engineClient(engine.url)
      const members = await client.cluster.members.query()
      expect(members.metricsTransport).toBe('postgres')
      expect(members.members.map((member) => member.id).sort()).toEqual(['engine-a', 'engine-b'])
      let byEngine: Record<string, number> = {}
      let total = 0
      await eventually(
        async () => {
          const history = await client.cluster.metricsHistory.query({
            pipeline: 'shared',
            windowSeconds: 60,
          })
          const sum = (samples: readonly { succeeded: number }[] | undefined): number =>
            (samples ?? []).reduce((count, sample) => count + sample.succeeded, 0)
          total = sum(history.series[0]?.samples)
          byEngine = Object.fromEntries(
            history.engines.map((entry) => [entry.engineId, sum(entry.series[0]?.samples)]),
          )
          return total === 6
        },
        6_000,
        `${engine.identity.id} sees six queries in the cluster`,
      )
      expect(byEngine).toEqual({ 'engine-a': 2, 'engine-b': 4 })
    }
  })

  it('a change made while an engine had lost its database is applied once it is back', async () => {
    const client = engineClient(a.url)
    await client.pipelines.create.mutate({ name: 'steady', config: {} })
    await eventually(() => b.registry.find('steady') !== undefined, 2_000, 'engine b has it')

    // Engine B is cut off: every connection reset, new ones refused. Its notifications are lost.
    proxy.set({ refuseNew: true })
    proxy.cutAll()
    await client.pipelines.create.mutate({ name: 'born_while_away', config: {} })
    await client.pipelines.pause.mutate({ name: 'steady' })
    await client.pipelines.update.mutate({ name: 'steady', config: { batchSize: 42 } })
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(b.registry.find('born_while_away')).toBeUndefined()

    proxy.set({ refuseNew: false })
    await eventually(
      () =>
        b.registry.find('born_while_away') !== undefined &&
        b.registry.find('steady')?.paused === true &&
        b.registry.find('steady')?.config.batchSize === 42,
      10_000,
      'engine b re-read the pipelines after reconnecting',
    )
    const refused = await ingest(b, 'steady', [{ sql: 'SELECT 1' }])
    expect(refused.status).toBe(503)
  })

  it('a halt is stored: the other engine refuses, and an engine started later too', async () => {
    await engineClient(b.url).pipelines.create.mutate({
      name: 'steps',
      config: { strategy: 'sequential', batchSize: 1 },
    })
    await eventually(() => a.registry.find('steps') !== undefined, 2_000, 'engine a has it')
    const answer = await ingest(a, 'steps', [
      { sql: 'INSERT INTO halt_items VALUES (1)' },
      { sql: 'INSERT INTO halt_items VALUES (1)' },
    ])
    expect((answer.body as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(
      ['succeeded', 'failed'],
    )
    await eventually(
      () => b.registry.find('steps')?.status().state === 'halted',
      2_000,
      'engine b halts the pipeline too',
    )
    const refused = await ingest(b, 'steps', [{ sql: 'INSERT INTO halt_items VALUES (2)' }])
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({ error: { code: 'PIPELINE_HALTED' } })

    const later = await startTestEngine(db.url, { engineId: 'engine-c' })
    try {
      const view = await engineClient(later.url).pipelines.get.query({ name: 'steps' })
      expect(view.status.state).toBe('halted')
      expect(view.status.stateReason).toMatch(/duplicate key/)
      await engineClient(later.url).pipelines.resume.mutate({ name: 'steps' })
      await eventually(
        () =>
          a.registry.find('steps')?.status().state === 'running' &&
          b.registry.find('steps')?.status().state === 'running',
        2_000,
        'the resume on engine c reaches a and b',
      )
      expect(
        (await ingest(b, 'steps', [{ sql: 'INSERT INTO halt_items VALUES (2)' }])).status,
      ).toBe(200)
    } finally {
      await later.stop()
    }
  })
})
