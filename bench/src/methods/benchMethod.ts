import type { BenchTarget } from '../database/benchTarget'
import type { WorkloadOutput } from '../workloads/workload'

/** What a method is, for the report. */
export type MethodKind = 'naive' | 'sluice' | 'postgres.js' | 'hand' | 'copy'

/** A connected method, ready for one timed run. */
export interface MethodSession {
  /** The timed part. */
  run(size: number): Promise<WorkloadOutput>
  close(): Promise<void>
}

/** One way of doing a workload (naive, Sluice with a strategy, postgres.js, hand-written, COPY). */
export interface BenchMethod {
  readonly id: string
  readonly label: string
  readonly kind: MethodKind
  /** Connects (untimed) and returns the session whose `run` is timed. */
  open(target: BenchTarget): Promise<MethodSession>
}
