import type { QueueMemoryResult } from '../probes/queueMemory'
import type { TelemetryCostResult } from '../probes/telemetryCost'

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

const slowdown = (percent: number): string =>
  percent >= 0 ? `${percent.toFixed(1)}% slower` : `${(-percent).toFixed(1)}% faster (noise)`

/**
 * The memory and telemetry figures as text.
 *
 * @example
 * console.log(formatExtras(memory, telemetry))
 */
export function formatExtras(
  memory: readonly QueueMemoryResult[],
  telemetry: readonly TelemetryCostResult[],
): string {
  const lines = ['Memory with queued queries (paused pipeline, then run; fresh process each):']
  for (const m of memory) {
    lines.push(
      `  ${m.depth.toLocaleString('en-US').padStart(8)} queued: heap +${mib(m.heapQueued - m.heapBefore)} (${Math.round(m.queuedBytesPerQuery)} B/query), peak heap while running +${mib(m.peakHeapSampled - m.heapBefore)}, peak RSS ${mib(m.maxRss)}`,
    )
  }
  lines.push(
    'Telemetry off vs on (direct; OTLP export to a local sink, Prometheus metrics recorded; on = no context manager, as the engine runs; on-als = with the AsyncLocalStorage context manager):',
  )
  for (const t of telemetry) {
    const arms = t.arms.map((a) =>
      a.arm === 'off'
        ? `off ${Math.round(a.throughput)}/s (CPU ${a.cpuMedianMs.toFixed(1)} ms/run)`
        : `${a.arm} ${Math.round(a.throughput)}/s (${slowdown(a.slowdownPercent)}, CPU ${a.cpuMedianMs.toFixed(1)} ms/run)`,
    )
    lines.push(
      `  ${t.workload.padEnd(12)} ${t.size} (${t.strategy}): ${arms.join(', ')}; ${t.arms.map((a) => a.ms.length).join('+')} runs, ${mib(t.exportedBytes)} exported`,
    )
  }
  return lines.join('\n')
}
