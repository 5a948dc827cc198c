import { startTelemetry, type Telemetry } from '@sluice/telemetry'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Engine } from '../engine'
import { engineClient, eventually, postJson, startTestEngine } from '../testing/engineHarness'

/*
 * An application that traces its requests sends `traceparent` with its queries; the batch that
 * ran them links back to the application's span. Telemetry as main.ts starts it: no context
 * manager, spans kept in memory.
 */

let telemetry: Telemetry
let db: TestDatabase
let engine: Engine

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'sluice-engine-test',
    otlpEndpoint: false,
    prometheus: false,
    contextManager: false,
  })
  db = await createTestDatabase('engine_traceparent')
  engine = await startTestEngine(db.url)
  await engineClient(engine.url).pipelines.create.mutate({
    name: 'traced',
    config: { batchSize: 10, flushIntervalMs: 5 },
  })
})
afterAll(async () => {
  await engine.stop()
  await db.drop()
  await telemetry.shutdown()
})

interface Answer {
  results: { status: string; batchId?: string; traceId?: string }[]
}

async function send(headers: Record<string, string>): Promise<Answer['results']> {
  const { status, body } = await postJson(
    `${engine.url}/v1/pipelines/traced/queries`,
    { queries: [{ sql: 'SELECT 1 AS one' }] },
    { headers },
  )
  expect(status).toBe(200)
  return (body as Answer).results
}

it('links the batch span to the span named by the request’s traceparent header', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const spanId = '00f067aa0ba902b7'
  const [result] = await send({ traceparent: `00-${traceId}-${spanId}-01` })
  expect(result?.status).toBe('succeeded')
  let callers: readonly { traceId: string; spanId: string }[] | undefined
  await eventually(() => {
    callers = telemetry.recentBatches.find('traced', result?.batchId ?? '')?.callers
    return callers !== undefined
  })
  expect(callers).toEqual([{ traceId, spanId }])
  // The batch is a trace of its own; the caller's trace is reached through the link.
  expect(result?.traceId).not.toBe(traceId)
  // The console's batch list leads back to the caller's trace too.
  const { items } = await engineClient(engine.url).batches.list.query({ pipeline: 'traced' })
  const batch = items.find((item) => item.batchId === result?.batchId)
  expect(batch?.callers).toEqual([
    { traceId, spanId, traceUrl: `http://localhost:16686/trace/${traceId}` },
  ])
})

it('ignores a missing or malformed traceparent: the batch runs, unlinked', async () => {
  for (const headers of [{}, { traceparent: 'not-a-trace-header' }] as Record<string, string>[]) {
    const [result] = await send(headers)
    expect(result?.status).toBe('succeeded')
    await eventually(
      () => telemetry.recentBatches.find('traced', result?.batchId ?? '') !== undefined,
    )
    expect(telemetry.recentBatches.find('traced', result?.batchId ?? '')?.callers).toEqual([])
    const { items } = await engineClient(engine.url).batches.list.query({ pipeline: 'traced' })
    expect(items.find((item) => item.batchId === result?.batchId)?.callers).toEqual([])
  }
})
