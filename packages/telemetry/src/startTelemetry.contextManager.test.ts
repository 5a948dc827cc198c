import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Telemetry } from './startTelemetry'
import { startTelemetry } from './startTelemetry'
import type { OtlpTraceReceiver } from './testing/otlpTraceReceiver'
import { startOtlpTraceReceiver } from './testing/otlpTraceReceiver'

/*
 * contextManager: false, as the engine runs: no AsyncLocalStorage, yet Sluice's span tree is
 * whole, and a caller given explicitly is still linked.
 */

let receiver: OtlpTraceReceiver
let telemetry: Telemetry

beforeAll(async () => {
  receiver = await startOtlpTraceReceiver()
  telemetry = await startTelemetry({
    serviceName: 'sluice-no-context-test',
    otlpEndpoint: receiver.endpoint,
    prometheus: false,
    contextManager: false,
  })
})
afterAll(async () => {
  await telemetry.shutdown()
  await receiver.close()
})

it('exports whole batch trees with no context manager, linking an explicit caller', async () => {
  // No context manager: an active span is not seen, even synchronously.
  trace.getTracer('app').startActiveSpan('handler', (span) => {
    expect(context.active()).toBe(ROOT_CONTEXT)
    span.end()
  })

  const { QueryPipeline } = await import('@sluice/pipeline-core')
  const { createTestSchema } = await import('@sluice/test-database')
  const schema = await createTestSchema('no_context')
  try {
    await schema.pool.query('CREATE TABLE items (id int PRIMARY KEY)')
    const pipeline = new QueryPipeline({
      name: 'items',
      connection: schema.url,
      batchSize: 2,
      flushIntervalMs: 1000,
      optimize: false,
    })
    const caller = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    }
    const accepted = [
      await pipeline.addQuery('INSERT INTO items VALUES ($1)', [1], { callerContext: caller }),
      await pipeline.addQuery('SELECT id FROM items WHERE id = $1', [1]),
    ]
    const results = await Promise.all(accepted.map((query) => query.result))
    await pipeline.close()
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded'])

    await telemetry.forceFlush()
    await receiver.waitFor((spans) =>
      results.every((result) => spans.some((s) => s.spanId === result.spanId)),
    )
    const batch = receiver.spans.find((s) => s.name === 'sluice.batch')
    expect(batch).toMatchObject({
      parentSpanId: '',
      links: [{ traceId: caller.traceId, spanId: caller.spanId }],
      attributes: { 'sluice.pipeline.name': 'items', 'sluice.batch.succeeded': 2 },
    })
    for (const result of results) {
      expect(receiver.spans.find((s) => s.spanId === result.spanId)).toMatchObject({
        traceId: batch?.traceId,
        parentSpanId: batch?.spanId,
      })
    }
  } finally {
    await schema.drop()
  }
})
