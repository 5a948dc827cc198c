import { trace } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Telemetry } from './startTelemetry'
import { startTelemetry } from './startTelemetry'
import type { OtlpTraceReceiver, ReceivedSpan } from './testing/otlpTraceReceiver'
import { startOtlpTraceReceiver } from './testing/otlpTraceReceiver'

/*
 * The request Jaeger receives: a real pipeline against PostgreSQL, exported by startTelemetry
 * over OTLP/HTTP protobuf to a receiver on 127.0.0.1 that decodes it.
 */

const SECRET = 'secret-parameter-value'
let receiver: OtlpTraceReceiver
let telemetry: Telemetry

beforeAll(async () => {
  receiver = await startOtlpTraceReceiver()
  telemetry = await startTelemetry({
    serviceName: 'sluice-otlp-test',
    serviceVersion: '1.2.3',
    otlpEndpoint: receiver.endpoint,
    prometheus: false,
  })
})
afterAll(async () => {
  await telemetry.shutdown()
  await receiver.close()
})

describe('OTLP/HTTP export of a real pipeline', () => {
  it('delivers the batch span and its statement spans with their attributes', async () => {
    // As the engine does: pg and pipeline-core load only after the SDK started.
    const { QueryPipeline } = await import('@sluice/pipeline-core')
    const { createTestSchema } = await import('@sluice/test-database')
    const schema = await createTestSchema('otlp')
    try {
      await schema.pool.query('CREATE TABLE orders (id int PRIMARY KEY, sku text NOT NULL)')
      const pipeline = new QueryPipeline({
        name: 'orders',
        connection: schema.url,
        strategy: 'best_effort',
        batchSize: 3,
        flushIntervalMs: 1000,
        optimize: false,
      })
      const { caller, pending } = await trace
        .getTracer('app')
        .startActiveSpan('POST /orders', async (span) => {
          const sql = 'INSERT INTO orders (id, sku) VALUES ($1, $2)'
          const accepted = [
            await pipeline.addQuery(sql, [1, SECRET]),
            await pipeline.addQuery(sql, [1, SECRET]),
            await pipeline.addQuery('SELECT sku FROM orders WHERE id = $1', [1]),
          ]
          span.end()
          return { caller: span.spanContext(), pending: accepted.map((a) => a.result) }
        })
      const results = await Promise.all(pending)
      await pipeline.close()
      expect(results.map((r) => r.status)).toEqual(['succeeded', 'failed', 'succeeded'])

      await telemetry.forceFlush()
      const [first, failed, read] = results
      const ran = [first?.spanId, failed?.spanId, read?.spanId]
      await receiver.waitFor(
        (spans) =>
          spans.some((s) => s.name === 'sluice.batch') &&
          ran.every((id) => spans.some((s) => s.spanId === id)),
      )

      expect(receiver.contentTypes.every((type) => type === 'application/x-protobuf')).toBe(true)
      const batch = receiver.spans.find((s) => s.name === 'sluice.batch')
      expect(batch).toMatchObject({
        kind: 1,
        parentSpanId: '',
        scope: '@sluice/pipeline-core',
        traceId: first?.traceId,
        links: [{ traceId: caller.traceId, spanId: caller.spanId }],
        attributes: {
          'sluice.pipeline.name': 'orders',
          'sluice.batch.strategy': 'best_effort',
          'sluice.batch.size': 3,
          'sluice.batch.id': first?.batchId,
          'sluice.batch.succeeded': 2,
          'sluice.batch.failed': 1,
        },
        status: { code: 2 },
      })
      expect(batch?.resource).toMatchObject({
        'service.name': 'sluice-otlp-test',
        'service.version': '1.2.3',
        'process.pid': process.pid,
      })
      // The command line may hold a connection string with its password: never exported.
      expect(batch?.resource).not.toHaveProperty('process.command_args')
      expect(batch?.resource).not.toHaveProperty('process.command')

      const byId = (id: string | undefined): ReceivedSpan | undefined =>
        receiver.spans.find((s) => s.spanId === id)
      const common = {
        'db.system.name': 'postgresql',
        'db.namespace': 'test',
        'server.address': '127.0.0.1',
        'server.port': 5432,
      }
      expect(byId(first?.spanId)).toMatchObject({
        name: 'INSERT orders',
        kind: 3,
        traceId: batch?.traceId,
        parentSpanId: batch?.spanId,
        attributes: {
          ...common,
          'db.query.text': 'INSERT INTO orders (id, sku) VALUES ($1, $2)',
          'db.operation.name': 'INSERT',
          'db.collection.name': 'orders',
        },
        status: { code: 0 },
      })
      expect(byId(failed?.spanId)).toMatchObject({
        name: 'INSERT orders',
        parentSpanId: batch?.spanId,
        attributes: { ...common, 'db.response.status_code': '23505', 'error.type': '23505' },
        status: { code: 2 },
      })
      expect(byId(read?.spanId)).toMatchObject({
        name: 'SELECT orders',
        parentSpanId: batch?.spanId,
        attributes: { 'db.operation.name': 'SELECT' },
      })
      expect(JSON.stringify(receiver.spans)).not.toContain(SECRET)

      const [recent] = telemetry.recentBatches.list('orders')
      expect(recent).toMatchObject({
        traceId: batch?.traceId,
        spanId: batch?.spanId,
        batchId: first?.batchId,
        size: 3,
        failed: 1,
      })
    } finally {
      await schema.drop()
    }
  })
})
