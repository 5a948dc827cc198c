import { runWorkload } from '../measure/runWorkload'
import { openNetworkPath } from '../measure/networkPath'
import type { DelayProxyImplementation } from '../proxy/delayProxy'
import { methodsFor } from '../methods/methodsFor'
import type { Workload } from '../workloads/workload'
import type { SweepPoint } from './sweepPoint'

/** One-way delays swept, µs: round trips of 0 (loopback), 1 and 5 ms. */
export const SWEPT_ONE_WAY_DELAYS_US = [0, 500, 2_500] as const

/** What a round-trip sweep measured, with the round trip each path really had. */
export interface RoundTripSweep {
  readonly points: SweepPoint[]
  readonly measuredRttMs: Record<string, number>
}

/**
 * Throughput against round trip for Sluice (main strategy), naive and postgres.js on each
 * workload. The naive form runs `naiveSize` rows at most (its cost is one round trip a row).
 *
 * @example
 * const sweep = await sweepRoundTrip(serverUrl, [bulkInsert], 2_000, 300, 1, 'auto', true)
 */
export async function sweepRoundTrip(
  serverUrl: string,
  workloads: readonly Workload[],
  size: number,
  naiveSize: number,
  runs: number,
  proxy: DelayProxyImplementation | 'auto',
  calibrate: boolean,
  log?: (line: string) => void,
): Promise<RoundTripSweep> {
  const points: SweepPoint[] = []
  const measuredRttMs: Record<string, number> = {}
  for (const delayUs of SWEPT_ONE_WAY_DELAYS_US) {
    const path = await openNetworkPath(serverUrl, delayUs, proxy, calibrate)
    const rtt = (2 * delayUs) / 1000
    measuredRttMs[String(rtt)] = path.network.selectOneRttMs.median
    try {
      for (const workload of workloads) {
        const main = workload.sluice.strategies[0]
        const methods = methodsFor(workload, {
          sluice: true,
          sluiceWithoutOptimizer: false,
        }).filter(
          (m) => m.kind === 'naive' || m.kind === 'postgres.js' || m.id === `sluice-${main ?? ''}`,
        )
        const result = await runWorkload(serverUrl, {
          workload,
          size,
          methods,
          runs,
          warmups: 1,
          warmupSize: Math.min(size, 200),
          naiveSize: Math.min(size, naiveSize),
          naiveRuns: 1,
          endpoint: path.endpoint,
          network: path.network,
        })
        for (const m of result.methods) {
          if (m.medianMs === undefined) {
            log?.(`   ${workload.id} ${m.id} at ${rtt} ms: ${m.error ?? 'no result'}`)
            continue
          }
          const throughput = (size / m.medianMs) * 1000
          log?.(`   ${workload.id} ${m.id} at ${rtt} ms: ${Math.round(throughput)} /s`)
          points.push({
            x: rtt,
            series: `${workload.id}: ${m.kind === 'sluice' ? `Sluice ${main ?? ''}` : m.kind}`,
            size,
            medianMs: m.medianMs,
            throughput,
          })
        }
      }
    } finally {
      await path.close()
    }
  }
  return { points, measuredRttMs }
}
