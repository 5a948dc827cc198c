import type { WorkloadResult } from '../measure/results'
import type { QueueMemoryResult } from '../probes/queueMemory'
import { telemetryArm } from '../probes/telemetryCost'
import type { TelemetryArmResult, TelemetryCostResult } from '../probes/telemetryCost'
import { profileMarkdown } from '../profile/formatProfile'
import type { WorkloadProfile } from '../profile/profileWorkload'
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
  /** From `--profile` runs. */
  readonly profiles?: readonly WorkloadProfile[]
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
      '"on": `startTelemetry` with no context manager, as the engine runs. "on-als": its default, with',
      "OpenTelemetry's AsyncLocalStorage context manager. The arms take turns run after run in each",
      'process. Change: of the median run time, against off. CPU: median CPU time of the Sluice process per run.',
      '',
      '| workload | strategy | off (median) | on (median) | change | on-als (median) | change | CPU per run off / on / on-als | runs per arm | exported |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    )
    for (const t of report.telemetry) {
      const off = telemetryArm(t, 'off')
      const on = telemetryArm(t, 'on')
      const als = telemetryArm(t, 'on-als')
      const rate = (a: TelemetryArmResult): string =>
        `${Math.round(a.throughput).toLocaleString('en-US')}/s`
      const change = (a: TelemetryArmResult): string =>
        `${a.slowdownPercent >= 0 ? '+' : ''}${a.slowdownPercent.toFixed(1)}%`
      out.push(
        `| ${t.workload} (${t.size.toLocaleString('en-US')}) | ${t.strategy} | ${rate(off)} | ${rate(on)} | ${change(on)} | ${rate(als)} | ${change(als)} | ${[off, on, als].map((a) => a.cpuMedianMs.toFixed(1)).join(' / ')} ms | ${off.ms.length} | ${(t.exportedBytes / 1024).toFixed(0)} KiB |`,
      )
    }
    out.push('')
  }
  if (report.profiles && report.profiles.length > 0) {
    out.push(
      '### µs per query by stage (`--profile`, direct)',
      '',
      "The process's CPU time per query, shared out by stage from a V8 CPU profile (100 µs samples) of",
      "each workload's main Sluice strategy; the `.cpuprofile` files are written beside the run's JSON.",
      '',
      profileMarkdown(report.profiles),
      '',
    )
  }
  return out.join('\n')
}
