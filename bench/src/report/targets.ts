import type { MethodResult, WorkloadResult } from '../measure/results'

/** One of the benchmark's targets (docs/benchmarks.md), checked against a run at 1 ms round trip. */
export interface TargetCheck {
  readonly workload: string
  readonly target: string
  readonly measured: string
  readonly met: boolean
  /** How far off a missed target is, e.g. "1.27x short". */
  readonly gap?: string
}

const SPEEDUP_TARGETS: Readonly<Record<string, number>> = {
  'bulk-insert': 200,
  'batch-update': 100,
  'multi-get': 100,
  etl: 100,
  transfers: 15,
}

function bestSluice(result: WorkloadResult): MethodResult | undefined {
  return result.methods
    .filter((m) => m.kind === 'sluice' && m.medianMs !== undefined && !m.id.includes('unoptimized'))
    .sort((a, b) => (a.medianMs ?? Infinity) - (b.medianMs ?? Infinity))[0]
}

/**
 * Checks the benchmark's targets on results over the delayed path: speed-up over naive per workload,
 * bulk insert within 2x of COPY, and Sluice ahead of postgres.js everywhere. Sluice's figure is
 * its best strategy (optimizer on), named in `measured`.
 *
 * @example
 * for (const check of checkTargets(results)) console.log(check.met ? 'met' : 'missed', check.target)
 */
export function checkTargets(results: readonly WorkloadResult[]): TargetCheck[] {
  const checks: TargetCheck[] = []
  for (const result of results) {
    const sluice = bestSluice(result)
    const wanted = SPEEDUP_TARGETS[result.workload]
    const name = sluice ? sluice.label : 'no Sluice result'
    if (wanted !== undefined) {
      const speedup = sluice?.speedupVsNaive ?? 0
      checks.push({
        workload: result.workload,
        target: `≥ ${wanted}x faster than naive`,
        measured: `${speedup.toFixed(0)}x (${name})`,
        met: speedup >= wanted,
        ...(speedup < wanted
          ? {
              gap: speedup > 0 ? `needs ${(wanted / speedup).toFixed(2)}x more speed` : 'no result',
            }
          : {}),
      })
    }
    const copy = result.methods.find((m) => m.kind === 'copy')?.medianMs
    if (result.workload === 'bulk-insert' && copy !== undefined) {
      const ratio = (sluice?.medianMs ?? Infinity) / copy
      checks.push({
        workload: result.workload,
        target: 'within 2x of COPY',
        measured: `${ratio.toFixed(2)}x COPY's time`,
        met: ratio <= 2,
        ...(ratio > 2 ? { gap: `${(ratio / 2).toFixed(2)}x too slow` } : {}),
      })
    }
    const pgjs = result.methods.find((m) => m.kind === 'postgres.js')?.medianMs
    if (pgjs !== undefined) {
      const ratio = pgjs / (sluice?.medianMs ?? Infinity)
      checks.push({
        workload: result.workload,
        target: 'ahead of postgres.js pipelining',
        measured: `${ratio.toFixed(1)}x faster than postgres.js`,
        met: ratio > 1,
        ...(ratio <= 1
          ? { gap: ratio > 0 ? `postgres.js ${(1 / ratio).toFixed(2)}x faster` : 'no result' }
          : {}),
      })
    }
  }
  return checks
}

/** The checks as text lines. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks
    .map(
      (c) =>
        `${c.met ? 'MET   ' : 'MISSED'} ${c.workload.padEnd(13)} ${c.target.padEnd(32)} ${c.measured}${c.gap ? ` — ${c.gap}` : ''}`,
    )
    .join('\n')
}
