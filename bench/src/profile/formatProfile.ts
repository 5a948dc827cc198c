import { STAGE_MEANING, STAGES } from './stages'
import type { WorkloadProfile } from './profileWorkload'

const us = (value: number): string => value.toFixed(2)

/**
 * The stage breakdown as a Markdown table (one row per profiled workload) with its legend,
 * ready for docs/benchmarks.md.
 *
 * @example
 * console.log(profileMarkdown(profiles))
 */
export function profileMarkdown(profiles: readonly WorkloadProfile[]): string {
  const header = [
    'workload',
    'strategy',
    'median run',
    'CPU µs per query',
    ...STAGES.map((s) => `${s} µs`),
  ]
  const rows = profiles.map((p) => [
    `${p.workload} (${p.size.toLocaleString('en-US')})`,
    p.strategy,
    `${p.medianMs.toFixed(1)} ms`,
    us(p.cpuUsPerQuery),
    ...STAGES.map((s) => us(p.usPerQuery[s])),
  ])
  return [
    `| ${header.join(' | ')} |`,
    `|---|---|${header
      .slice(2)
      .map(() => '---:')
      .join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...STAGES.map((s) => `- **${s}**: ${STAGE_MEANING[s]}`),
  ].join('\n')
}
