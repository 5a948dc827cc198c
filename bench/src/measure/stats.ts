/** Summary statistics of a set of samples. */
export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly p95: number
  readonly samples: number
}

/**
 * Median, min, max and 95th percentile (nearest rank) of a non-empty list of numbers.
 *
 * @example
 * summarize([3, 1, 2]).median // 2
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize needs at least one value')
  const sorted = [...values].sort((a, b) => a - b)
  const at = (i: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, i))] ?? Number.NaN
  const mid = sorted.length / 2
  const median = sorted.length % 2 === 1 ? at(Math.floor(mid)) : (at(mid - 1) + at(mid)) / 2
  return {
    median,
    min: at(0),
    max: at(sorted.length - 1),
    p95: at(Math.ceil(sorted.length * 0.95) - 1),
    samples: sorted.length,
  }
}
