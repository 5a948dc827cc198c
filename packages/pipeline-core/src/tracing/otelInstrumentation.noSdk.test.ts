import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base'
import { afterAll, describe, expect, it } from 'vitest'
import type { InMemoryTelemetry } from './inMemoryTelemetry'
import { startInMemoryTelemetry } from './inMemoryTelemetry'
import { createOtelInstrumentation } from './otelInstrumentation'

const SUMMARY = {
  succeeded: 1,
  failed: 0,
  skipped: 0,
  rolledBack: 0,
  merged: 0,
  deduplicated: 0,
  durationMs: 1,
}

describe('without an SDK', () => {
  const instrumentation = createOtelInstrumentation()
  let telemetry: InMemoryTelemetry | undefined
  afterAll(async () => {
    await telemetry?.shutdown()
  })

  it('traces nothing and hands out no ids', () => {
    expect(instrumentation.captureCallerContext()).toBeUndefined()
    const batch = instrumentation.startBatch({
      pipeline: 'p',
      strategy: 'sequential',
      batchId: 'b',
      size: 1,
      links: [],
    })
    const statement = batch.startStatement({ text: 'SELECT 1', operation: 'SELECT' })
    statement.end()
    batch.end(SUMMARY)
    instrumentation.recordQueueDepth('p', 4)
    expect(batch.traceId).toBeUndefined()
    expect(statement.traceId).toBeUndefined()
    expect(statement.spanId).toBeUndefined()
  })

  it('starts tracing and metering once an SDK is registered later', async () => {
    telemetry = startInMemoryTelemetry()
    const batch = instrumentation.startBatch({
      pipeline: 'p',
      strategy: 'sequential',
      batchId: 'b',
      size: 1,
      links: [],
    })
    const statement = batch.startStatement({ text: 'SELECT 1', operation: 'SELECT' })
    statement.end()
    batch.end(SUMMARY)
    expect(statement.spanId).toBe(telemetry.spansNamed('SELECT')[0]?.spanContext().spanId)
    expect(telemetry.spansNamed('sluice.batch')).toHaveLength(1)
    expect((await telemetry.points('sluice.queue.depth')).map((p) => p.value)).toEqual([4])
    expect((await telemetry.points('sluice.queries')).map((p) => p.value)).toEqual([1])
  })

  it('skips the spans of a batch that is not sampled but still meters it', async () => {
    await telemetry?.shutdown()
    telemetry = startInMemoryTelemetry({ sampler: new AlwaysOffSampler() })
    const batch = instrumentation.startBatch({
      pipeline: 'p',
      strategy: 'sequential',
      batchId: 'b',
      size: 1,
      links: [],
    })
    const statement = batch.startStatement({ text: 'SELECT 1', operation: 'SELECT' })
    statement.end()
    batch.end(SUMMARY)
    expect(batch.traceId).toBeUndefined()
    expect(statement.spanId).toBeUndefined()
    expect(telemetry.spans()).toEqual([])
    expect((await telemetry.points('sluice.queries')).map((p) => p.value)).toEqual([1])
    expect(
      (await telemetry.points('db.client.operation.duration')).map(
        (p) => p.attributes['db.operation.name'],
      ),
    ).toEqual(['SELECT'])
  })
})
