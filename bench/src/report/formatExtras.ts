import type { QueueMemoryResult } from '../probes/queueMemory'
import type { TelemetryCostResult } from '../probes/telemetryCost'

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

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
    'Telemetry off vs on (direct, OTLP export to a local sink, Prometheus metrics recorded):',
  )
  for (const t of telemetry) {
    lines.push(
      `  ${t.workload.padEnd(12)} ${t.size} (${t.strategy}): off ${Math.round(t.offThroughput)}/s, on ${Math.round(t.onThroughput)}/s → ${t.slowdownPercent >= 0 ? `${t.slowdownPercent.toFixed(1)}% slower` : `${(-t.slowdownPercent).toFixed(1)}% faster (noise)`}; ${t.offMs.length}+${t.onMs.length} runs, ${mib(t.exportedBytes)} exported`,
    )
  }
  return lines.join('\n')
}
