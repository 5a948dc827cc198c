import { runWorkload } from '../measure/runWorkload'
import type { NetworkPath } from '../measure/networkPath'
import { sluiceMethod } from '../methods/methodsFor'
import { DEFAULT_SLUICE_SETTINGS } from '../methods/sluiceRunner'
import type { Workload } from '../workloads/workload'
import type { SweepPoint } from './sweepPoint'

/** Batch sizes swept (the adaptive controller is off, so each is what runs). */
export const SWEPT_BATCH_SIZES = [1, 10, 100, 1_000, 5_000] as const

/**
 * Sluice throughput (workload's main strategy) against its batch size, over the given network
 * path. Each point runs enough queries for several batches, capped at `maxSize`.
 *
 * @example
 * const points = await sweepBatchSize(serverUrl, path, [bulkInsert], 10_000, 3)
 */
export async function sweepBatchSize(
  serverUrl: string,
  path: NetworkPath,
  workloads: readonly Workload[],
  maxSize: number,
  runs: number,
  log?: (line: string) => void,
): Promise<SweepPoint[]> {
  const points: SweepPoint[] = []
  for (const workload of workloads) {
    const strategy = workload.sluice.strategies[0] ?? 'best_effort'
    for (const batchSize of SWEPT_BATCH_SIZES) {
      // Batch size 1 at a 1 ms round trip runs ~1k queries/s: keep its run short.
      const size = Math.min(maxSize, Math.max(500, batchSize * 20))
      const settings = { ...DEFAULT_SLUICE_SETTINGS, strategy, batchSize, adaptiveBatchSize: false }
      const result = await runWorkload(serverUrl, {
        workload,
        size,
        methods: [sluiceMethod(workload, settings, `batch ${batchSize}`)],
        runs,
        warmups: 1,
        warmupSize: Math.min(size, 500),
        naiveSize: size,
        naiveRuns: runs,
        endpoint: path.endpoint,
        network: path.network,
      })
      const method = result.methods[0]
      if (method?.medianMs === undefined) {
        log?.(`   batch size ${batchSize} on ${workload.id}: ${method?.error ?? 'no result'}`)
        continue
      }
      const throughput = (size / method.medianMs) * 1000
      log?.(`   ${workload.id} batch size ${batchSize}: ${Math.round(throughput)} /s`)
      points.push({
        x: batchSize,
        series: `${workload.id} (Sluice ${strategy})`,
        size,
        medianMs: method.medianMs,
        throughput,
      })
    }
  }
  return points
}
