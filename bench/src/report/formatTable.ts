import type { WorkloadResult } from '../measure/results'

function ms(value: number | undefined): string {
  if (value === undefined) return '—'
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`
  if (value >= 100) return `${value.toFixed(0)} ms`
  return `${value.toFixed(1)} ms`
}

function ratio(value: number | undefined): string {
  if (value === undefined) return '—'
  return value >= 10 ? `${value.toFixed(0)}x` : `${value.toFixed(2)}x`
}

function cpuUs(value: number | undefined): string {
  return value === undefined ? '—' : value.toFixed(1)
}

/** The heading of a workload's table: what, how many, over which network. */
export function workloadHeading(result: WorkloadResult): string {
  const n = result.network
  const path =
    n.label === 'direct'
      ? 'direct (loopback)'
      : `${(2 * n.oneWayDelayUs) / 1000} ms round trip (proxy set to ${n.configuredOneWayDelayUs ?? n.oneWayDelayUs} µs each way)`
  const direct = n.directRttMs === undefined ? '' : ` vs ${n.directRttMs.toFixed(2)} ms direct`
  return `${result.title}, ${result.size.toLocaleString('en-US')} ${result.unit} — ${path}; SELECT 1 takes ${n.selectOneRttMs.median.toFixed(2)} ms${direct}`
}

/**
 * A workload's results as a plain-text table: method, median time, speed-up over naive, time
 * relative to the best hand-written SQL.
 *
 * @example
 * console.log(formatTable(result))
 */
export function formatTable(result: WorkloadResult): string {
  const header = [
    'method',
    'median',
    'µs per query (CPU)',
    'vs naive (x faster)',
    'vs best hand-written (time ratio)',
  ]
  const rows = result.methods.map((m) => [
    m.label + (m.extrapolated ? ` [${m.measuredSize.toLocaleString('en-US')} rows, scaled]` : ''),
    m.error ? 'FAILED' : ms(m.medianMs),
    cpuUs(m.cpuUsPerUnit),
    ratio(m.speedupVsNaive),
    m.vsBestHand === undefined ? '—' : m.vsBestHand.toFixed(2),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
  const errors = result.methods.filter((m) => m.error).map((m) => `  ! ${m.id}: ${m.error ?? ''}`)
  return [
    workloadHeading(result),
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...errors,
  ].join('\n')
}

/** The same table in Markdown, for docs/benchmarks.md. */
export function formatMarkdownTable(result: WorkloadResult): string {
  const rows = result.methods.map(
    (m) =>
      `| ${m.label}${m.extrapolated ? ` *(measured on ${m.measuredSize.toLocaleString('en-US')}, scaled)*` : ''} | ${m.error ? 'FAILED' : ms(m.medianMs)} | ${cpuUs(m.cpuUsPerUnit)} | ${ratio(m.speedupVsNaive)} | ${m.vsBestHand === undefined ? '—' : m.vsBestHand.toFixed(2)} |`,
  )
  return [
    `**${workloadHeading(result)}**`,
    '',
    '| method | median | µs per query (CPU) | vs naive (x faster) | time / best hand-written |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n')
}
