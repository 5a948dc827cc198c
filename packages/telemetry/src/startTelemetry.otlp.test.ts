import { trace } from '@opentelemetry/api'
import { createOtelInstrumentation } from '@sluice/pipeline-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Telemetry } from './startTelemetry'
import { startTelemetry } from './startTelemetry'
import type { OtlpTraceReceiver } from './testing/otlpTraceReceiver'
import { startOtlpTraceReceiver } from './testing/otlpTraceReceiver'

let receiver: OtlpTraceReceiver
let telemetry: Telemetry

beforeAll(async () => {
  receiver = await startOtlpTraceReceiver()
  telemetry = await startTelemetry({ serviceName: 'sluice-otlp-test', serviceVersion: '1.2.3', otlpEndpoint: receiver.endpoint, prometheus: false })
})
afterAll(async () => {
  await telemetry.shutdown()
  await receiver.close()
})

describe('OTLP/HTTP export', () => {
  it('delivers batch and statement spans with their attributes as protobuf', async () => {
    const instrumentation = createOtelInstrumentation()
    const caller = trace.getTracer('app').startActiveSpan('POST /orders', (span) => {
      const context = instrumentation.captureCallerContext()
      span.end()
      return context
    })
    const batch = instrumentation.startBatch({ pipeline: 'orders', strategy: 'transactional', batchId: 'b-1', size: 2, links: caller ? [caller] : [] })
    batch
      .startStatement({ text: 'INSERT INTO public.orders (id) VALUES ($1), ($2)', operation: 'INSERT', collection: 'public.orders', batchSize: 2, namespace: 'test', serverAddress: '127.0.0.1', serverPort: 5432 })
      .end({ code: '23505', message: 'duplicate key value violates unique constraint "orders_pkey"' })
    batch.end({ succeeded: 0, failed: 1, skipped: 0, rolledBack: 1, merged: 2, deduplicated: 0, durationMs: 3 })
    await telemetry.forceFlush()
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'sluice.batch'))

    expect(receiver.contentTypes.every((type) => type === 'application/x-protobuf')).toBe(true)
    const batchSpan = receiver.spans.find((s) => s.name === 'sluice.batch')
    const statement = receiver.spans.find((s) => s.name === 'INSERT public.orders')
    expect(batchSpan).toMatchObject({
      kind: 1,
      parentSpanId: '',
      scope: '@sluice/pipeline-core',
      traceId: batch.traceId,
      links: [{ traceId: caller?.traceId, spanId: caller?.spanId }],
      attributes: {
        'sluice.pipeline.name': 'orders',
        'sluice.batch.strategy': 'transactional',
        'sluice.batch.size': 2,
        'sluice.batch.id': 'b-1',
        'sluice.batch.failed': 1,
        'sluice.batch.rolled_back': 1,
        'sluice.batch.merged': 2,
      },
      status: { code: 2 },
    })
    expect(batchSpan?.resource).toMatchObject({ 'service.name': 'sluice-otlp-test', 'service.version': '1.2.3' })
    expect(statement).toMatchObject({
      kind: 3,
      traceId: batch.traceId,
      parentSpanId: batchSpan?.spanId,
      attributes: {
        'db.system.name': 'postgresql',
        'db.query.text': 'INSERT INTO public.orders (id) VALUES ($1), ($2)',
        'db.operation.name': 'INSERT',
        'db.collection.name': 'public.orders',
        'db.operation.batch.size': 2,
        'db.namespace': 'test',
        'server.address': '127.0.0.1',
        'server.port': 5432,
        'db.response.status_code': '23505',
        'error.type': '23505',
      },
      status: { code: 2, message: 'duplicate key value violates unique constraint "orders_pkey"' },
    })
    expect(telemetry.recentBatches.list('orders')[0]?.traceId).toBe(batch.traceId)
  })
})
