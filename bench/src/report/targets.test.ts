import { describe, expect, it } from 'vitest'
import type { MethodResult, WorkloadResult } from '../measure/results'
import { checkTargets } from './targets'

function method(
  id: string,
  kind: MethodResult['kind'],
  medianMs: number,
  naiveMs: number,
): MethodResult {
  return {
    id,
    label: id,
    kind,
    medianMs,
    samplesMs: [medianMs],
    measuredSize: 1,
    extrapolated: false,
    speedupVsNaive: naiveMs / medianMs,
  }
}

function workload(id: string, methods: MethodResult[]): WorkloadResult {
  return {
    workload: id,
    title: id,
    size: 1,
    unit: 'rows',
    network: { label: 'proxy', oneWayDelayUs: 500, selectOneRttMs: { median: 1, p95: 1, min: 1 } },
    methods,
  }
}

describe('checkTargets', () => {
  it('judges the best optimized Sluice strategy against each target', () => {
    const checks = checkTargets([
      workload('bulk-insert', [
        method('naive', 'naive', 10_000, 10_000),
        method('sluice-best_effort', 'sluice', 80, 10_000),
        method('sluice-parallel', 'sluice', 40, 10_000),
        method('sluice-best_effort-unoptimized', 'sluice', 10, 10_000),
        method('postgres.js', 'postgres.js', 2_000, 10_000),
        method('copy', 'copy', 25, 10_000),
      ]),
      workload('transfers', [
        method('naive', 'naive', 1_000, 1_000),
        method('sluice-transactional', 'sluice', 100, 1_000),
      ]),
    ])
    expect(checks).toEqual([
      {
        workload: 'bulk-insert',
        target: '≥ 200x faster than naive',
        measured: '250x (sluice-parallel)',
        met: true,
      },
      {
        workload: 'bulk-insert',
        target: 'within 2x of COPY',
        measured: "1.60x COPY's time",
        met: true,
      },
      {
        workload: 'bulk-insert',
        target: 'ahead of postgres.js pipelining',
        measured: '50.0x faster than postgres.js',
        met: true,
      },
      {
        workload: 'transfers',
        target: '≥ 15x faster than naive',
        measured: '10x (sluice-transactional)',
        met: false,
        gap: 'needs 1.50x more speed',
      },
    ])
  })

  it('counts a workload where Sluice failed as missed', () => {
    const failed: MethodResult = {
      id: 'sluice-parallel',
      label: 'x',
      kind: 'sluice',
      samplesMs: [],
      measuredSize: 1,
      extrapolated: false,
      error: 'boom',
    }
    const [check] = checkTargets([
      workload('multi-get', [method('naive', 'naive', 100, 100), failed]),
    ])
    expect(check?.met).toBe(false)
    expect(check?.measured).toContain('no Sluice result')
  })
})
