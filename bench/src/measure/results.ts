import type { MethodKind } from '../methods/benchMethod'

/** The network a set of runs went over. */
export interface NetworkResult {
  /** "direct" (loopback) or "proxy". */
  readonly label: string
  /** The nominal one-way delay (what the run is labelled with). */
  readonly oneWayDelayUs: number
  /**
   * The delay the proxy was really set to: the nominal one minus the proxy's own measured
   * overhead, so that `SELECT 1` takes the direct round trip plus twice the nominal delay.
   */
  readonly configuredOneWayDelayUs?: number
  /** Measured round trip of `SELECT 1` over this path, ms. */
  readonly selectOneRttMs: { readonly median: number; readonly p95: number; readonly min: number }
  /** Measured round trip of `SELECT 1` straight to the server at the same time, ms. */
  readonly directRttMs?: number
  readonly proxyImplementation?: string
}

/** One method's figures on one workload and network. */
export interface MethodResult {
  readonly id: string
  readonly label: string
  readonly kind: MethodKind
  /** Median over timed runs, scaled to the workload size when extrapolated. */
  readonly medianMs?: number
  /**
   * Median CPU time (user + system) of the benchmark's process per unit of the workload (query,
   * row, transfer), µs: the client side's own cost, whatever the network. PostgreSQL's is not in it.
   */
  readonly cpuUsPerUnit?: number
  /** Raw timed runs (at `measuredSize`), ms. */
  readonly samplesMs: readonly number[]
  readonly measuredSize: number
  /** True when measured on fewer rows than the workload size and scaled linearly. */
  readonly extrapolated: boolean
  /** naive time / this time. */
  readonly speedupVsNaive?: number
  /** this time / best hand-written SQL time (1 = as fast). */
  readonly vsBestHand?: number
  readonly error?: string
}

/** One workload on one network. */
export interface WorkloadResult {
  readonly workload: string
  readonly title: string
  readonly size: number
  readonly unit: string
  readonly network: NetworkResult
  readonly methods: readonly MethodResult[]
}
