import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { trace } from '@opentelemetry/api'
import { afterEach, describe, expect, it } from 'vitest'
import type { Telemetry } from './startTelemetry'
import { startTelemetry } from './startTelemetry'

/** A port nothing listens on: bound, read, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve()
    }),
  )
  return port
}

let telemetry: Telemetry | undefined
afterEach(async () => {
  await telemetry?.shutdown()
  telemetry = undefined
  delete process.env.OTEL_TRACES_EXPORTER
  delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT
})

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function emitBatchSpans(count: number): void {
  const tracer = trace.getTracer('app')
  for (let i = 0; i < count; i++) tracer.startSpan(`work ${i}`).end()
}

describe('startTelemetry when spans cannot be exported', () => {
  it('says once at start that no collector answers and how to fix it; failed exports add nothing', async () => {
    // Standard variable, honoured by the exporter: give up on a dead collector after 1 s.
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '1000'
    const warnings: string[] = []
    const port = await closedPort()
    telemetry = await startTelemetry({
      serviceName: 'sluice-test',
      otlpEndpoint: `http://127.0.0.1:${port}`,
      prometheus: false,
      shutdownTimeoutMs: 3000,
      logger: { warn: (message) => warnings.push(message) },
    })
    expect(telemetry.traceExportUrl).toBe(`http://127.0.0.1:${port}/v1/traces`)
    // Before any span: the check at start.
    await eventually(() => warnings.length > 0)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`cannot export traces to http://127.0.0.1:${port}/v1/traces`)
    expect(warnings[0]).toContain('jaegertracing/all-in-one')
    expect(warnings[0]).toContain('OTEL_TRACES_EXPORTER=none')
    expect(warnings[0]).not.toContain('\n')
    emitBatchSpans(3)
    await telemetry.forceFlush()
    emitBatchSpans(3)
    await telemetry.forceFlush()
    const started = Date.now()
    await telemetry.shutdown()
    telemetry = undefined
    // The collector is known to be out: shutdown does not wait its 3 s for the last spans.
    expect(Date.now() - started).toBeLessThan(2000)
    expect(warnings).toHaveLength(1)
  })

  it('reports each outage of a collector once, and when it answers again', async () => {
    // A collector the test switches off and on: 400 (not retried) while down, OTLP's empty success while up.
    let up = true
    let received = 0
    const collector = createHttpServer((request, response) => {
      request.resume()
      request.once('end', () => {
        received++
        if (up) response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
        else response.writeHead(400).end()
      })
    })
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
    const { port } = collector.address() as AddressInfo
    const warnings: string[] = []
    try {
      telemetry = await startTelemetry({
        serviceName: 'sluice-test',
        otlpEndpoint: `http://127.0.0.1:${port}`,
        prometheus: false,
        logger: { warn: (message) => warnings.push(message) },
      })
      const exportRound = async () => {
        emitBatchSpans(1)
        await telemetry?.forceFlush()
      }
      await exportRound()
      up = false
      await exportRound()
      await exportRound()
      up = true
      await exportRound()
      up = false
      await exportRound()
      await exportRound()
      expect(received).toBe(6)
      expect(warnings.map((warning) => warning.replace(/ \(.*$/, ''))).toEqual([
        `[sluice telemetry] cannot export traces to http://127.0.0.1:${port}/v1/traces`,
        `[sluice telemetry] traces are exported to http://127.0.0.1:${port}/v1/traces again`,
        `[sluice telemetry] cannot export traces to http://127.0.0.1:${port}/v1/traces`,
      ])
    } finally {
      await telemetry?.shutdown()
      telemetry = undefined
      collector.closeAllConnections()
      await new Promise((resolve) => collector.close(resolve))
    }
  })

  it('sets nothing up with OTEL_SDK_DISABLED=true', async () => {
    process.env.OTEL_SDK_DISABLED = 'true'
    try {
      telemetry = await startTelemetry({ serviceName: 'sluice-test' })
      expect(telemetry.traceExportUrl).toBeUndefined()
      expect(telemetry.metricsHandler).toBeUndefined()
      expect(trace.getTracer('app').startSpan('x').isRecording()).toBe(false)
    } finally {
      delete process.env.OTEL_SDK_DISABLED
    }
  })

  it('exports nothing with OTEL_TRACES_EXPORTER=none, and is restartable after shutdown', async () => {
    process.env.OTEL_TRACES_EXPORTER = 'none'
    const warnings: string[] = []
    telemetry = await startTelemetry({
      serviceName: 'sluice-test',
      prometheus: false,
      logger: { warn: (m) => warnings.push(m) },
    })
    expect(telemetry.traceExportUrl).toBeUndefined()
    expect(telemetry.metricsHandler).toBeUndefined()
    await expect(startTelemetry({ serviceName: 'again' })).rejects.toThrow(/already called/)
    emitBatchSpans(2)
    await telemetry.forceFlush()
    expect(warnings).toEqual([])
  })
})
