import type { AdaptiveBatchSizeBounds } from '@sluice/contract'

/** Weight of the newest observation in the per-query cost estimate. */
const SMOOTHING = 0.3
/** Aim below the target so ordinary jitter does not push batches over it. */
const HEADROOM = 0.8
/** Most a single observation may grow the size by (x2) or shrink it to (x0.75 at least). */
const MAX_GROWTH = 2
const MIN_SHRINK = 0.75
/** A batch this full (share of the current size) says the size, not the load, limited it. */
const FULL = 0.9

/**
 * Moves the effective batch size between `min` and `max` to raise throughput while keeping each
 * batch's latency under `targetLatencyMs`.
 *
 * It keeps a smoothed estimate of the time per query (batch duration / batch size). After a
 * batch over the target it shrinks at once (to what the estimate says fits, and by at least a
 * quarter): latency is what users feel. After a full batch well under the target it grows toward
 * the size the estimate says fits under 80% of the target, at most doubling per batch, since a
 * bigger batch costs fewer round trips and commits per query. Batches that were not full (the
 * queue ran dry) say nothing about larger sizes and do not grow it. Since a batch has a fixed
 * cost too, time/size over-estimates the cost of extra queries, so growth is cautious.
 *
 * @example
 * const size = new AdaptiveBatchSize({ min: 10, max: 5_000, targetLatencyMs: 100 }, 100)
 * size.observe(100, 12) // a full batch took 12 ms
 * size.current()        // 200: grows (at most doubling per batch)
 */
export class AdaptiveBatchSize {
  private size: number
  private perQueryMs: number | undefined

  constructor(
    private readonly config: AdaptiveBatchSizeBounds,
    initial: number,
  ) {
    const { min, max, targetLatencyMs } = config
    if (!Number.isInteger(min) || min < 1)
      throw new RangeError(`AdaptiveBatchSize: min must be an integer >= 1, got ${String(min)}`)
    if (!Number.isInteger(max) || max < min)
      throw new RangeError(
        `AdaptiveBatchSize: max must be an integer >= min (${String(min)}), got ${String(max)}`,
      )
    if (!(targetLatencyMs > 0) || !Number.isFinite(targetLatencyMs)) {
      throw new RangeError(
        `AdaptiveBatchSize: targetLatencyMs must be a positive number, got ${String(targetLatencyMs)}`,
      )
    }
    this.size = this.clamp(Number.isFinite(initial) ? Math.round(initial) : min)
  }

  /** The batch size to use now. */
  current(): number {
    return this.size
  }

  /** Records that a batch of `batchSize` queries took `durationMs`, and adapts. */
  observe(batchSize: number, durationMs: number): void {
    if (
      !Number.isFinite(batchSize) ||
      !Number.isFinite(durationMs) ||
      batchSize < 1 ||
      durationMs < 0
    )
      return
    const sample = durationMs / batchSize
    this.perQueryMs =
      this.perQueryMs === undefined
        ? sample
        : SMOOTHING * sample + (1 - SMOOTHING) * this.perQueryMs
    const target = this.config.targetLatencyMs
    const fits =
      this.perQueryMs > 0
        ? Math.floor((HEADROOM * target) / this.perQueryMs)
        : Number.POSITIVE_INFINITY
    if (durationMs > target) {
      this.size = this.clamp(Math.min(Math.floor(this.size * MIN_SHRINK), fits))
    } else if (batchSize >= this.size * FULL && durationMs < HEADROOM * target) {
      this.size = this.clamp(Math.min(this.size * MAX_GROWTH, Math.max(this.size + 1, fits)))
    }
  }

  private clamp(size: number): number {
    return Math.min(this.config.max, Math.max(this.config.min, size))
  }
}
