import type { WorkloadResult } from '../measure/results'
import type { QueueMemoryResult } from '../probes/queueMemory'
import type { TelemetryCostResult } from '../probes/telemetryCost'
import { formatMarkdownTable } from './formatTable'
import type { TargetCheck } from './targets'

/** What a benchmark run wrote to its JSON file (the parts the docs show). */
export interface BenchReport {
  readonly startedAt: string
  readonly finishedAt: string
  readonly mode: string
  readonly machine: {
    readonly cpus: number
    readonly cpuModel?: string
    readonly loadAverage: readonly number[]
    readonly node: string
  }
  readonly results: readonly WorkloadResult[]
  readonly targets: readonly TargetCheck[]
  readonly memory: readonly QueueMemoryResult[]
  readonly telemetry: readonly TelemetryCostResult[]
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/**
 * The results section of docs/benchmarks.md, generated from a run's JSON: the run's context,
 * the targets, every workload's table at each round trip, memory and telemetry figures.
 *
 * @example
 * const markdown = resultsMarkdown(JSON.parse(await readFile(file, 'utf8')) as BenchReport)
 */
export function resultsMarkdown(report: BenchReport): string {
  const out: string[] = []
  const load = report.machine.loadAverage.map((l) => l.toFixed(1)).join(' / ')
  out.push(
    `Run: ${report.mode}, ${report.startedAt.slice(0, 16).replace('T', ' ')} – ${report.finishedAt.slice(11, 16)} UTC; ${report.machine.cpus} × ${report.machine.cpuModel ?? 'CPU'}; Node ${report.machine.node}; load average at the end ${load} (1 / 5 / 15 min).`,
    '',
  )
  if (report.targets.length > 0) {
    out.push(
      '### Targets (1 ms round trip)',
      '',
      '| workload | target | measured | |',
      '|---|---|---|---|',
    )
    for (const t of report.targets)
      out.push(
        `| ${t.workload} | ${t.target} | ${t.measured} | ${t.met ? 'met' : `**missed**: ${t.gap ?? ''}`} |`,
      )
    out.push('')
  }
  const delays = [...new Set(report.results.map((r) => r.network.oneWayDelayUs))].sort(
    (a, b) => b - a,
  )
  for (const delay of delays) {
    out.push(
      delay === 0
        ? '### Direct (loopback, no proxy)'
        : `### ${(2 * delay) / 1000} ms round trip (delay proxy)`,
      '',
    )
    for (const result of report.results.filter((r) => r.network.oneWayDelayUs === delay))
      out.push(formatMarkdownTable(result), '')
  }
  if (report.memory.length > 0) {
    out.push(
      '### Memory with queued queries',
      '',
      '| queued INSERTs | heap held while queued | per query | peak heap while running | peak RSS of the process |',
      '|---:|---:|---:|---:|---:|',
    )
    for (const m of report.memory) {
      out.push(
        `| ${m.depth.toLocaleString('en-US')} | ${mib(m.heapQueued - m.heapBefore)} | ${Math.round(m.queuedBytesPerQuery)} B | ${mib(m.peakHeapSampled - m.heapBefore)} | ${mib(m.maxRss)} |`,
      )
    }
    out.push('')
  }
  if (report.telemetry.length > 0) {
    out.push(
      '### Telemetry off vs on (direct)',
      '',
      '| workload | strategy | off (median) | on (median) | change in median time | fastest run off / on | runs (off + on) | exported |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
    )
    for (const t of report.telemetry) {
      out.push(
        `| ${t.workload} (${t.size.toLocaleString('en-US')}) | ${t.strategy} | ${Math.round(t.offThroughput).toLocaleString('en-US')}/s | ${Math.round(t.onThroughput).toLocaleString('en-US')}/s | ${t.slowdownPercent >= 0 ? '+' : ''}${t.slowdownPercent.toFixed(1)}% | ${Math.min(...t.offMs).toFixed(1)} / ${Math.min(...t.onMs).toFixed(1)} ms | ${t.offMs.length} + ${t.onMs.length} | ${(t.exportedBytes / 1024).toFixed(0)} KiB |`,
      )
    }
    out.push('')
  }
  return out.join('\n')
}
