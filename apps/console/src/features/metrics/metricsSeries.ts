import type { MetricsSample } from '@sluice/contract'

/** Samples by pipeline name, oldest first. */
export type SeriesByPipeline = ReadonlyMap<string, readonly MetricsSample[]>

/** Longest window the console keeps in memory (the engine keeps one hour too). */
export const maxWindowSeconds = 3_600

/**
 * Adds freshly received samples to the series, dropping duplicates (same pipeline and second)
 * and samples older than `keepSeconds` before the newest one.
 *
 * @example
 * const next = appendSamples(new Map(), tick.samples, 3600)
 */
export function appendSamples(
  series: SeriesByPipeline,
  samples: readonly MetricsSample[],
  keepSeconds = maxWindowSeconds,
): SeriesByPipeline {
  if (samples.length === 0) return series
  const next = new Map(series)
  for (const sample of samples) {
    const existing = next.get(sample.pipeline) ?? []
    const last = existing.at(-1)
    let updated: MetricsSample[]
    if (!last || sample.at > last.at) updated = [...existing, sample]
    else if (sample.at === last.at) updated = [...existing.slice(0, -1), sample]
    else
      updated = [...existing.filter((s) => s.at !== sample.at), sample].sort((a, b) => a.at - b.at)
    const cutoff = sample.at - keepSeconds * 1000
    const firstKept = updated.findIndex((s) => s.at > cutoff)
    next.set(sample.pipeline, firstKept <= 0 ? updated : updated.slice(firstKept))
  }
  return next
}

/**
 * Combines two sets of series (history and live), the second winning for a second present in
 * both, keeping `keepSeconds` before each pipeline's newest sample.
 *
 * @example
 * const series = mergeSeries(fromHistory, fromStream)
 */
export function mergeSeries(
  base: SeriesByPipeline,
  newer: SeriesByPipeline,
  keepSeconds = maxWindowSeconds,
): SeriesByPipeline {
  const merged = new Map<string, readonly MetricsSample[]>()
  for (const name of new Set([...base.keys(), ...newer.keys()])) {
    const bySecond = new Map<number, MetricsSample>()
    for (const sample of base.get(name) ?? []) bySecond.set(sample.at, sample)
    for (const sample of newer.get(name) ?? []) bySecond.set(sample.at, sample)
    const sorted = [...bySecond.values()].sort((a, b) => a.at - b.at)
    const cutoff = (sorted.at(-1)?.at ?? 0) - keepSeconds * 1000
    merged.set(
      name,
      sorted.filter((sample) => sample.at > cutoff),
    )
  }
  return merged
}

/** One point of a chart: a bucket of one or more seconds. */
export interface ChartPoint {
  at: number
  queriesPerSecond: number
  successRate: number | null
  avgBatchSize: number | null
  configuredBatchSize: number
  effectiveBatchSize: number
  latencyP50Ms: number | null
  latencyP95Ms: number | null
  queueDepth: number
}

const mean = (values: number[]): number | null =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length
const present = (values: (number | null)[]): number[] =>
  values.filter((v): v is number => v !== null)

/**
 * Folds per-second samples into at most `maxPoints` buckets over the window ending at `endAt`,
 * so an hour stays light to draw. Throughput is averaged, success rate is recomputed from the
 * counts, p95 latency and queue depth take the bucket's worst second.
 *
 * @example
 * const points = toChartPoints(samples, { windowSeconds: 900, endAt: Date.now(), maxPoints: 300 })
 */
export function toChartPoints(
  samples: readonly MetricsSample[],
  {
    windowSeconds,
    endAt,
    maxPoints = 300,
  }: { windowSeconds: number; endAt: number; maxPoints?: number },
): ChartPoint[] {
  const bucketMs = Math.max(1, Math.ceil(windowSeconds / maxPoints)) * 1000
  const startAt = endAt - windowSeconds * 1000
  const buckets = new Map<number, MetricsSample[]>()
  for (const sample of samples) {
    if (sample.at <= startAt || sample.at > endAt) continue
    const key = Math.floor(sample.at / bucketMs) * bucketMs
    const bucket = buckets.get(key)
    if (bucket) bucket.push(sample)
    else buckets.set(key, [sample])
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, group]) => {
      const succeeded = group.reduce((sum, s) => sum + s.succeeded, 0)
      const finished = succeeded + group.reduce((sum, s) => sum + s.failed, 0)
      const last = group[group.length - 1] as MetricsSample
      const p95 = present(group.map((s) => s.latencyP95Ms))
      return {
        at,
        queriesPerSecond: mean(group.map((s) => s.queriesPerSecond)) ?? 0,
        successRate: finished === 0 ? null : succeeded / finished,
        avgBatchSize: mean(present(group.map((s) => s.avgBatchSize))),
        configuredBatchSize: last.configuredBatchSize,
        effectiveBatchSize: last.effectiveBatchSize,
        latencyP50Ms: mean(present(group.map((s) => s.latencyP50Ms))),
        latencyP95Ms: p95.length === 0 ? null : Math.max(...p95),
        queueDepth: Math.max(...group.map((s) => s.queueDepth)),
      }
    })
}
