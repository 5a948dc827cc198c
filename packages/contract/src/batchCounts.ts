/**
 * How a batch's queries ended and what the optimizer did with them: the counts every view of a
 * batch carries (its event, its span, the recent-batches list).
 */
export interface BatchCounts {
  readonly succeeded: number
  readonly failed: number
  readonly skipped: number
  readonly rolledBack: number
  /** Queries folded into merged statements. */
  readonly merged: number
  /** Queries answered by another identical read. */
  readonly deduplicated: number
}
