import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createBenchSchema } from '../database/benchSchema'
import { targetUrl } from '../database/benchTarget'
import { summarize } from '../measure/stats'
import type { Workload } from '../workloads/workload'
import { runProbe } from './runProbe'

/** Sluice throughput on one workload with telemetry off and on. */
export interface TelemetryCostResult {
  readonly workload: string
  readonly size: number
  readonly strategy: string
  readonly offMs: readonly number[]
  readonly onMs: readonly number[]
  readonly offMedianMs: number
  readonly onMedianMs: number
  /** Fastest runs: when these agree but the medians do not, the difference is in the tail. */
  readonly offMinMs: number
  readonly onMinMs: number
  /** Queries per second, medians. */
  readonly offThroughput: number
  readonly onThroughput: number
  /** How much slower with telemetry on, percent (negative: faster, i.e. noise). */
  readonly slowdownPercent: number
  /** Bytes the OTLP sink received (proves spans were exported). */
  readonly exportedBytes: number
}

interface ProbeOutput {
  readonly strategy: string
  readonly times: number[]
}

/**
 * Runs a workload through Sluice in fresh processes (warm-up runs first in each), alternating
 * telemetry off and on (OTLP
 * export to an in-process sink that accepts and discards, Prometheus metrics recorded), and
 * compares median throughput.
 *
 * @example
 * const cost = await measureTelemetryCost(serverUrl, bulkInsert, 10_000, 3)
 */
export async function measureTelemetryCost(
  serverUrl: string,
  workload: Workload,
  size: number,
  rounds: number,
  runsPerProcess = 3,
  warmupsPerProcess = 3,
): Promise<TelemetryCostResult> {
  let exportedBytes = 0
  const sink = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (exportedBytes += chunk.length))
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-protobuf' })
      response.end()
    })
  })
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve))
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`
  const schema = await createBenchSchema(serverUrl, `telemetry_${workload.id.replace(/-/g, '_')}`)
  const off: number[] = []
  const on: number[] = []
  let strategy = ''
  try {
    await workload.setup(schema.pool, size)
    const args = (mode: string): string[] => [
      mode,
      workload.id,
      String(size),
      String(warmupsPerProcess),
      String(runsPerProcess),
      targetUrl(schema.target),
      sinkUrl,
    ]
    for (let round = 0; round < rounds; round++) {
      // Alternate, so drifting machine load falls on both alike.
      for (const mode of round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
        const output = await runProbe<ProbeOutput>('telemetryProbe.ts', args(mode))
        strategy = output.strategy
        ;(mode === 'on' ? on : off).push(...output.times)
      }
    }
  } finally {
    await schema.drop()
    await new Promise<void>((resolve) =>
      sink.close(() => {
        resolve()
      }),
    )
  }
  const offMedianMs = summarize(off).median
  const onMedianMs = summarize(on).median
  return {
    workload: workload.id,
    size,
    strategy,
    offMs: off,
    onMs: on,
    offMedianMs,
    onMedianMs,
    offMinMs: summarize(off).min,
    onMinMs: summarize(on).min,
    offThroughput: (size / offMedianMs) * 1000,
    onThroughput: (size / onMedianMs) * 1000,
    slowdownPercent: (onMedianMs / offMedianMs - 1) * 100,
    exportedBytes,
  }
}
