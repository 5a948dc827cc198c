import { startTelemetry, type Telemetry } from '@sluice/telemetry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../../engine'
import type { MetricsTick } from '@sluice/contract'
import { engineClient, eventually, postJson, startTestEngine } from '../../testing/engineHarness'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'

let telemetry: Telemetry
let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>
let load: NodeJS.Timeout | undefined

const jaeger = 'http://jaeger.example:16686'

beforeAll(async () => {
  // Spans stay in memory (no export); metrics go to the Prometheus handler the engine mounts.
  telemetry = await startTelemetry({ serviceName: 'sluice-engine-test', otlpEndpoint: false })
  db = await createTestDatabase('engine')
  engine = await startTestEngine(db.url, {
    jaegerUiUrl: jaeger,
    metricsHandler: telemetry.metricsHandler,
  })
  client = engineClient(engine.url)
  await db.pool.query('CREATE TABLE events (id serial PRIMARY KEY, v int)')
  await client.pipelines.create.mutate({
    name: 'busy',
    config: { batchSize: 20, flushIntervalMs: 10 },
  })
  await client.pipelines.create.mutate({ name: 'quiet', config: {} })
  const insert = { sql: 'INSERT INTO events (v) VALUES ($1)', params: [1] }
  load = setInterval(() => {
    void postJson(`${engine.url}/v1/pipelines/busy/queries`, {
      queries: [...Array.from({ length: 9 }, () => insert), { sql: 'SELECT 1/0' }],
    }).catch(() => undefined) // the last requests may race the engine's shutdown
  }, 50)
})

afterAll(async () => {
  clearInterval(load)
  await engine.stop()
  await db.drop()
  await telemetry.shutdown()
})

describe('metrics router', () => {
  it('streams one sample per second per pipeline over SSE, filtered by pipeline', async () => {
    const ticks: MetricsTick[] = []
    const errors: unknown[] = []
    const subscription = client.metrics.live.subscribe(
      { pipelines: ['busy'] },
      {
        onData: (tick) => ticks.push(tick),
        onError: (error) => errors.push(error),
      },
    )
    try {
      await eventually(
        () => ticks.filter((tick) => (tick.samples[0]?.queriesPerSecond ?? 0) > 0).length >= 2,
        8_000,
        'two busy ticks',
      )
    } finally {
      subscription.unsubscribe()
    }
    expect(errors).toEqual([])
    const busy = ticks.filter((tick) => (tick.samples[0]?.queriesPerSecond ?? 0) > 0)
    const [sample] = busy[1]?.samples ?? []
    expect(
      ticks.every(
        (tick) =>
          tick.samples.length <= 1 && tick.samples.every((item) => item.pipeline === 'busy'),
      ),
    ).toBe(true)
    expect(sample).toMatchObject({ pipeline: 'busy', configuredBatchSize: 20 })
    expect(sample?.effectiveBatchSize).toBeGreaterThan(0)
    expect(sample?.at).toBe(Math.floor((sample?.at ?? 0) / 1000) * 1000)
    // Nine of every ten queries succeed.
    expect(sample?.successRate).toBeGreaterThan(0.8)
    expect(sample?.successRate).toBeLessThan(0.95)
    expect(sample?.avgBatchSize).toBeGreaterThan(0)
    expect(sample?.maxBatchSize).toBeLessThanOrEqual(20)
    expect(sample?.latencyP50Ms).toBeGreaterThan(0)
    expect(sample?.latencyP99Ms).toBeGreaterThanOrEqual(sample?.latencyP95Ms ?? Infinity)
    const times = busy.map((tick) => tick.at)
    expect(times[1]).toBeGreaterThan(times[0] ?? Infinity)
  })

  it('answers the history of the last window, per pipeline', async () => {
    const all = await client.metrics.history.query({ windowSeconds: 60 })
    expect(all.series.map((series) => series.pipeline)).toEqual(['busy', 'quiet'])
    const quiet = all.series.find((series) => series.pipeline === 'quiet')
    expect(
      quiet?.samples.every(
        (sample) => sample.queriesPerSecond === 0 && sample.successRate === null,
      ),
    ).toBe(true)
    const busy = await client.metrics.history.query({ pipeline: 'busy', windowSeconds: 60 })
    expect(busy.series[0]?.samples.some((sample) => sample.queriesPerSecond > 0)).toBe(true)
    await expect(client.metrics.history.query({ windowSeconds: 7200 })).rejects.toThrow(
      'history keeps the last hour',
    )
  })
})

describe('batches router', () => {
  it('lists recent batches newest first with their trace ids and Jaeger links', async () => {
    const { jaegerUiUrl, items } = await client.batches.list.query({ pipeline: 'busy', limit: 5 })
    expect(jaegerUiUrl).toBe(jaeger)
    expect(items.length).toBe(5)
    for (const batch of items) {
      expect(batch.pipeline).toBe('busy')
      expect(batch.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(batch.traceUrl).toBe(`${jaeger}/trace/${batch.traceId ?? ''}`)
      expect(batch.size).toBe(batch.succeeded + batch.failed + batch.skipped + batch.rolledBack)
    }
    const started = items.map((batch) => Date.parse(batch.startedAt))
    expect([...started].sort((a, b) => b - a)).toEqual(started)
    expect(items.some((batch) => batch.failed > 0)).toBe(true)
    // The span the telemetry package kept for the batch has the same trace id.
    const first = items[0]
    expect(telemetry.recentBatches.find('busy', first?.batchId ?? '')?.traceId).toBe(first?.traceId)
    expect((await client.batches.list.query({ pipeline: 'quiet' })).items).toEqual([])
  })
})

describe('GET /metrics', () => {
  it('serves Prometheus text with the pipelines as labels', async () => {
    const response = await fetch(`${engine.url}/metrics`)
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).toMatch(/sluice_batch_size_count\{[^}]*sluice_pipeline_name="busy"/)
    expect(text).toMatch(/sluice_queries_total\{[^}]*sluice_pipeline_name="busy"/)
  })
})
