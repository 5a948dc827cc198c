import { trace } from '@opentelemetry/api'
import { startTelemetry, type Telemetry } from '@sluice/telemetry'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SluiceClient } from './index'
import { startTestEngine, type TestEngine } from './testing/testEngine'

/*
 * An application traced with OpenTelemetry (the SDK started as usual: context manager, W3C
 * propagator) sends queries through the client inside its span; the engine's batch links back to
 * that span. Application and engine share this process, as the SDK does.
 */

let telemetry: Telemetry
let test: TestEngine
let client: SluiceClient

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'sluice-client-test',
    otlpEndpoint: false,
    prometheus: false,
    logger: { warn: () => undefined },
  })
  test = await startTestEngine('client_trace')
  await test.putPipeline('traced', { batchSize: 10, flushIntervalMs: 5 })
  client = new SluiceClient({ url: test.engine.url, token: test.token })
})

afterAll(async () => {
  await test.stop()
  await telemetry.shutdown()
})

async function callersOf(batchId: string | undefined): Promise<readonly unknown[]> {
  for (let look = 0; look < 200; look++) {
    const batch = telemetry.recentBatches.find('traced', batchId ?? '')
    if (batch) return batch.callers
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`batch ${String(batchId)} never reached the recent batches`)
}

it('forwards the active span as traceparent, and nothing outside a span', async () => {
  const tracer = trace.getTracer('shop')
  const { span, sent } = await tracer.startActiveSpan('checkout', async (span) => {
    const sent = await client.pipeline('traced').send([{ sql: 'SELECT 1 AS one' }])
    span.end()
    return { span, sent }
  })
  const { traceId, spanId } = span.spanContext()
  expect(await callersOf(sent.results[0]?.batchId)).toEqual([{ traceId, spanId }])

  const untraced = await client.pipeline('traced').send([{ sql: 'SELECT 2 AS two' }])
  expect(await callersOf(untraced.results[0]?.batchId)).toEqual([])
})
