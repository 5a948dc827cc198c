import type { MetricsSample } from '@sluice/contract'
import { describe, expect, it } from 'vitest'
import { appendSamples, mergeSeries, toChartPoints } from './metricsSeries'

const t0 = Date.UTC(2026, 10, 26, 18, 0, 0)

function sample(secondsAfter: number, fields: Partial<MetricsSample> = {}): MetricsSample {
  return {
    pipeline: 'orders',
    at: t0 + secondsAfter * 1000,
    queriesPerSecond: 10,
    succeeded: 10,
    failed: 0,
    successRate: 1,
    batches: 1,
    avgBatchSize: 10,
    maxBatchSize: 10,
    latencyP50Ms: 2,
    latencyP95Ms: 4,
    latencyP99Ms: 5,
    queueDepth: 0,
    configuredBatchSize: 10,
    effectiveBatchSize: 10,
    ...fields,
  }
}

describe('appendSamples', () => {
  it('adds new seconds in order, replaces a repeated second and drops what fell out of the window', () => {
    let series = appendSamples(new Map(), [sample(0), sample(1)], 60)
    // Keeping 60 s before second 60 keeps seconds 1..60: second 0 falls out.
    series = appendSamples(series, [sample(1, { queriesPerSecond: 99 }), sample(60)], 60)
    expect(series.get('orders')?.map((s) => [s.at - t0, s.queriesPerSecond])).toEqual([
      [1000, 99],
      [60_000, 10],
    ])
  })

  it('keeps pipelines apart and leaves the input untouched', () => {
    const before = appendSamples(new Map(), [sample(0)])
    const after = appendSamples(before, [sample(1, { pipeline: 'audit' })])
    expect(before.get('audit')).toBeUndefined()
    expect(after.get('audit')).toHaveLength(1)
    expect(after.get('orders')).toHaveLength(1)
  })
})

describe('mergeSeries', () => {
  it('lets the newer set win for a second present in both and sorts by time', () => {
    const history = new Map([['orders', [sample(0), sample(1), sample(2)]]])
    const live = new Map([['orders', [sample(3), sample(2, { queriesPerSecond: 42 })]]])
    const merged = mergeSeries(history, live).get('orders') ?? []
    expect(merged.map((s) => (s.at - t0) / 1000)).toEqual([0, 1, 2, 3])
    expect(merged[2]?.queriesPerSecond).toBe(42)
  })
})

describe('toChartPoints', () => {
  it('keeps one point a second for a short window, inside the window only', () => {
    const points = toChartPoints([sample(0), sample(1), sample(2), sample(400)], {
      windowSeconds: 300,
      endAt: t0 + 300_000,
    })
    expect(points.map((p) => (p.at - t0) / 1000)).toEqual([1, 2])
  })

  it('folds long windows into buckets: success from the counts, worst p95, deepest queue, gaps stay null', () => {
    const samples = [
      sample(0, { succeeded: 9, failed: 1, latencyP95Ms: 5, queueDepth: 3 }),
      sample(1, { succeeded: 0, failed: 10, latencyP95Ms: 50, queueDepth: 7 }),
      sample(2, {
        succeeded: 0,
        failed: 0,
        successRate: null,
        latencyP95Ms: null,
        latencyP50Ms: null,
        avgBatchSize: null,
      }),
    ]
    // 600 s over at most 200 points: 3-second buckets, so all three samples share one.
    const points = toChartPoints(samples, {
      windowSeconds: 600,
      endAt: t0 + 300_000,
      maxPoints: 200,
    })
    expect(points).toHaveLength(1)
    expect(points[0]).toMatchObject({
      successRate: 9 / 20,
      latencyP95Ms: 50,
      queueDepth: 7,
      avgBatchSize: 10,
    })

    const quiet = toChartPoints([samples[2] as MetricsSample], {
      windowSeconds: 300,
      endAt: t0 + 300_000,
    })
    expect(quiet[0]).toMatchObject({ successRate: null, latencyP95Ms: null, queriesPerSecond: 10 })
  })
})
