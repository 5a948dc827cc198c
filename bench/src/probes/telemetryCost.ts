import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createBenchSchema } from '../database/benchSchema'
import { targetUrl } from '../database/benchTarget'
import { summarize } from '../measure/stats'
import type { Workload } from '../workloads/workload'
import { runProbe } from './runProbe'

/**
 * How a probe process runs: `off` (no SDK), `on` (startTelemetry as the engine runs it: spans,
 * metrics, OTLP export, no context manager) or `on-als` (startTelemetry's default, with
 * OpenTelemetry's AsyncLocalStorage context manager).
 */
export type TelemetryArm = 'off' | 'on' | 'on-als'

export const TELEMETRY_ARMS: readonly TelemetryArm[] = ['off', 'on', 'on-als']

/** One arm's run times and what they come to. */
export interface TelemetryArmResult {
  readonly arm: TelemetryArm
  readonly ms: readonly number[]
  readonly medianMs: number
  /** Fastest run: when these agree but the medians do not, the difference is in the tail. */
  readonly minMs: number
  /** Queries per second, from the median. */
  readonly throughput: number
  /** How much longer the median run takes than with telemetry off, percent (negative: noise). */
  readonly slowdownPercent: number
  /** Median CPU time of the Sluice process per run, ms (PostgreSQL's work not included). */
  readonly cpuMedianMs: number
}

/** Sluice throughput on one workload with telemetry off and on. */
export interface TelemetryCostResult {
  readonly workload: string
  readonly size: number
  readonly strategy: string
  readonly arms: readonly TelemetryArmResult[]
  /** Bytes the OTLP sink received (proves spans were exported). */
  readonly exportedBytes: number
}

interface ProbeOutput {
  readonly strategy: string
  readonly times: Readonly<Record<TelemetryArm, number[]>>
  readonly cpu: Readonly<Record<TelemetryArm, number[]>>
}

/**
 * Runs a workload through Sluice in `rounds` fresh processes; in each, the arms take turns run
 * after run (see telemetryProbe.ts), after warm-up runs of each. Compares median run times.
 * Spans go over OTLP/HTTP to an in-process sink that accepts and discards; Prometheus metrics are
 * recorded.
 *
 * @example
 * const cost = await measureTelemetryCost(serverUrl, bulkInsert, 10_000, { rounds: 2, runs: 6, warmups: 3 })
 */
export async function measureTelemetryCost(
  serverUrl: string,
  workload: Workload,
  size: number,
  { rounds, runs, warmups }: { rounds: number; runs: number; warmups: number },
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
  const times = new Map<TelemetryArm, number[]>(TELEMETRY_ARMS.map((arm) => [arm, []]))
  const cpu = new Map<TelemetryArm, number[]>(TELEMETRY_ARMS.map((arm) => [arm, []]))
  let strategy = ''
  try {
    await workload.setup(schema.pool, size)
    for (let round = 0; round < rounds; round++) {
      const output = await runProbe<ProbeOutput>('telemetryProbe.ts', [
        workload.id,
        String(size),
        String(warmups),
        String(runs),
        targetUrl(schema.target),
        sinkUrl,
      ])
      strategy = output.strategy
      for (const arm of TELEMETRY_ARMS) {
        times.get(arm)?.push(...output.times[arm])
        cpu.get(arm)?.push(...output.cpu[arm])
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
  const offMedian = summarize(times.get('off') ?? []).median
  const arms = TELEMETRY_ARMS.map((arm): TelemetryArmResult => {
    const ms = times.get(arm) ?? []
    const { median, min } = summarize(ms)
    return {
      arm,
      ms,
      medianMs: median,
      minMs: min,
      throughput: (size / median) * 1000,
      slowdownPercent: (median / offMedian - 1) * 100,
      cpuMedianMs: summarize(cpu.get(arm) ?? []).median,
    }
  })
  return { workload: workload.id, size, strategy, arms, exportedBytes }
}

/**
 * One arm of a result.
 *
 * @example
 * const on = telemetryArm(cost, 'on') // { slowdownPercent: 2.1, ... }
 */
export function telemetryArm(result: TelemetryCostResult, arm: TelemetryArm): TelemetryArmResult {
  const found = result.arms.find((a) => a.arm === arm)
  if (!found) throw new Error(`no ${arm} arm in the telemetry result of ${result.workload}`)
  return found
}
