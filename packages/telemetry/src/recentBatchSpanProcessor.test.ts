import { trace } from '@opentelemetry/api'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import { createOtelInstrumentation } from '@sluice/pipeline-core'
import { afterAll, describe, expect, it } from 'vitest'
import { RecentBatchSpanProcessor } from './recentBatchSpanProcessor'
import { RecentBatchStore } from './recentBatchStore'

const store = new RecentBatchStore(10)
const provider = new BasicTracerProvider({ spanProcessors: [new RecentBatchSpanProcessor(store)] })
trace.setGlobalTracerProvider(provider)
afterAll(async () => {
  await provider.shutdown()
  trace.disable()
})

describe('RecentBatchSpanProcessor', () => {
  it('stores each ended sluice.batch span with its ids, counts, timing, error and callers', () => {
    const instrumentation = createOtelInstrumentation()
    const caller = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 }
    const before = Date.now()
    const batch = instrumentation.startBatch({
      pipeline: 'orders',
      strategy: 'transactional',
      batchId: 'batch-7',
      size: 4,
      links: [caller],
    })
    const statement = batch.startStatement({
      text: 'INSERT INTO t (id) VALUES ($1), ($2)',
      operation: 'INSERT',
      collection: 't',
      batchSize: 2,
    })
    statement.end({
      code: '23505',
      message: 'duplicate key value violates unique constraint "t_pkey"',
    })
    batch.end({
      succeeded: 0,
      failed: 1,
      skipped: 0,
      rolledBack: 3,
      merged: 2,
      deduplicated: 1,
      durationMs: 5,
    })
    // Spans of other tracers and statement spans are not batches.
    trace.getTracer('app').startSpan('sluice.batch').end()

    const [stored, ...others] = store.list('orders')
    expect(others).toEqual([])
    expect(stored).toMatchObject({
      pipeline: 'orders',
      batchId: 'batch-7',
      traceId: batch.traceId,
      strategy: 'transactional',
      size: 4,
      statements: 1,
      succeeded: 0,
      failed: 1,
      skipped: 0,
      rolledBack: 3,
      merged: 2,
      deduplicated: 1,
      error: '1 of 4 queries failed',
      callers: [{ traceId: caller.traceId, spanId: caller.spanId }],
    })
    expect(stored?.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(stored?.startTime).toBeGreaterThanOrEqual(before - 1)
    expect(stored?.startTime).toBeLessThanOrEqual(Date.now())
    expect(stored?.durationMs).toBeGreaterThanOrEqual(0)
    expect(store.pipelines()).toEqual(['orders'])
  })
})
