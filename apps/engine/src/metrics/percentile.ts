/**
 * The p-th percentile (0..100) of `values` by nearest rank; `null` for no values.
 *
 * @example
 * percentile([5, 1, 3], 50) // 3
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? null
}
