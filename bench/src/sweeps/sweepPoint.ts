/** One measured point of a sweep. */
export interface SweepPoint {
  /** The swept value (batch size, round trip in ms...). */
  readonly x: number
  /** Which line it belongs to (method and workload). */
  readonly series: string
  readonly size: number
  readonly medianMs: number
  /** Queries (or transfers) per second. */
  readonly throughput: number
}
