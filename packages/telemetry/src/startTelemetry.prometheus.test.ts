import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createOtelInstrumentation } from '@sluice/pipeline-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Telemetry } from './startTelemetry'
import { startTelemetry } from './startTelemetry'

let telemetry: Telemetry
const engine = createServer((request, response) => {
  // What the engine does: its own server answers GET /metrics with the telemetry handler.
  if (request.method === 'GET' && request.url === '/metrics' && telemetry.metricsHandler) {
    telemetry.metricsHandler(request, response)
    return
  }
  response.writeHead(404).end()
})

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'sluice-test',
    otlpEndpoint: false,
    instanceId: 'engine-test-1',
  })
  engine.listen(0, '127.0.0.1')
  await once(engine, 'listening')
})
afterAll(async () => {
  await telemetry.shutdown()
  engine.close()
})

async function scrape(url: string): Promise<string> {
  const response = await fetch(url)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('text/plain')
  return response.text()
}

describe('Prometheus metrics through the engine’s own server', () => {
  it('serves pipeline metrics with their units and the pipeline as a label', async () => {
    const instrumentation = createOtelInstrumentation()
    const batch = instrumentation.startBatch({
      pipeline: 'orders',
      strategy: 'parallel',
      batchId: 'b1',
      size: 20,
      links: [],
    })
    batch.startStatement({ text: 'SELECT 1', operation: 'SELECT' }).end()
    batch.end({
      succeeded: 19,
      failed: 1,
      skipped: 0,
      rolledBack: 0,
      merged: 0,
      deduplicated: 0,
      durationMs: 40,
    })
    instrumentation.recordQueueDepth('orders', 12)

    const { port } = engine.address() as AddressInfo
    const text = await scrape(`http://127.0.0.1:${port}/metrics`)
    expect(text).toMatch(/^sluice_batch_size_count\{[^}]*sluice_pipeline_name="orders"[^}]*\} 1$/m)
    expect(text).toMatch(/^sluice_batch_size_sum\{[^}]*sluice_pipeline_name="orders"[^}]*\} 20$/m)
    expect(text).toMatch(/^# UNIT sluice_batch_duration s$/m)
    expect(text).toMatch(
      /^sluice_batch_duration_sum\{[^}]*sluice_pipeline_name="orders"[^}]*\} 0\.04$/m,
    )
    expect(text).toMatch(/^sluice_queries_total\{[^}]*sluice_query_outcome="failed"[^}]*\} 1$/m)
    // Each engine of a cluster is told apart by its `engine` label.
    expect(text).toMatch(/^sluice_queries_total\{[^}]*engine="engine-test-1"[^}]*\} 1$/m)
    expect(text).toMatch(/^sluice_queries_total\{[^}]*sluice_query_outcome="succeeded"[^}]*\} 19$/m)
    expect(text).toMatch(/^sluice_queue_depth\{[^}]*sluice_pipeline_name="orders"[^}]*\} 12$/m)
    expect(text).toMatch(
      /^db_client_operation_duration_count\{[^}]*db_operation_name="SELECT"[^}]*\} 1$/m,
    )
  })
})
