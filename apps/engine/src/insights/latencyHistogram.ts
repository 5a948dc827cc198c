/*
 * Durations as a sparse log-scale histogram: bucket i holds durations in
 * [FLOOR_MS * 2^(i/STEPS), FLOOR_MS * 2^((i+1)/STEPS)). Four buckets per doubling keep any
 * percentile within about 9% of the true value, and histograms from several minutes and engines
 * add up bucket by bucket (stored as jsonb, summed by sluice.add_counts).
 */

const FLOOR_MS = 0.01
const STEPS = 4
/** 0.01 ms .. about 28 minutes; anything longer lands in the last bucket. */
const LAST_BUCKET = 110

/** A histogram: bucket index (as a string, for jsonb) → how many durations fell in it. */
export type LatencyHistogram = Record<string, number>

/** The bucket a duration falls in. */
export function latencyBucket(ms: number): number {
  if (!(ms > FLOOR_MS)) return 0
  return Math.min(LAST_BUCKET, Math.floor(Math.log2(ms / FLOOR_MS) * STEPS))
}

/** The value a bucket stands for: its geometric middle. */
function bucketValue(bucket: number): number {
  return FLOOR_MS * 2 ** ((bucket + 0.5) / STEPS)
}

/**
 * The `p`th percentile (0..100) of the durations counted in `histogram`, rounded to 0.01 ms;
 * 0 for an empty histogram.
 *
 * @example
 * histogramPercentile({ '40': 9, '60': 1 }, 50) // ≈ 10.9 (bucket 40 holds 10.0..11.9 ms)
 */
export function histogramPercentile(histogram: LatencyHistogram, p: number): number {
  const buckets = Object.entries(histogram)
    .map(([bucket, count]) => [Number(bucket), count] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => a[0] - b[0])
  const total = buckets.reduce((sum, [, count]) => sum + count, 0)
  if (total === 0) return 0
  const rank = Math.max(1, Math.ceil((p / 100) * total))
  let seen = 0
  for (const [bucket, count] of buckets) {
    seen += count
    if (seen >= rank) return Math.round(bucketValue(bucket) * 100) / 100
  }
  return 0
}
