import type { PlannedStatement } from '../plan/plan'
import type { QueryError } from '../types'
import type { BatchLedger } from './batchLedger'
import type { RetryPolicy } from './retryPolicy'
import type { RoundTripEntry, RoundTripSession } from './roundTripSession'

/** What every strategy gets to run a batch's plan. */
export interface ExecutionContext {
  readonly statements: readonly PlannedStatement[]
  readonly ledger: BatchLedger
  readonly retry: RetryPolicy
  /**
   * Optimizer on: statements the planner marked `transactionSafe` may share one BEGIN…COMMIT
   * ("fewer commits", one WAL flush instead of one per statement).
   */
  readonly fewerCommits: boolean
  /**
   * How `transactional` opens the batch's transaction: `BEGIN`, or a group's own mode
   * (`BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY`), such a group being a batch of its own.
   */
  readonly begin: RoundTripEntry
  /** A session on its own connection; the caller closes it. */
  openSession(): RoundTripSession
}

/** What a strategy reports back besides the ledger. */
export interface StrategyOutcome {
  /** Set by `sequential` when a query failed: the pipeline halts. */
  readonly haltedBy?: QueryError
}

/** A strategy runs the plan and settles every query of the ledger. */
export type StrategyRunner = (context: ExecutionContext) => Promise<StrategyOutcome>

export const BEGIN: RoundTripEntry = { control: 'BEGIN' }
export const COMMIT: RoundTripEntry = { control: 'COMMIT' }
export const ROLLBACK: RoundTripEntry = { control: 'ROLLBACK' }

/** Round trip entries for planned statements. */
export function entriesOf(statements: readonly PlannedStatement[]): RoundTripEntry[] {
  return statements.map((planned) => ({ planned }))
}

/** A statement answering several queries that `split()` could break up: a merged statement. */
export function isSplittable(statement: PlannedStatement): boolean {
  return statement.queryIndexes.length > 1 && statement.kind !== 'deduplicated'
}

/** The error of a COMMIT whose answer never came back. */
export function outcomeUnknownError(cause: QueryError): QueryError {
  return {
    message: `COMMIT was sent but its answer never came back (${cause.message}); the transaction may or may not have been applied, so it is not run again`,
    code: 'OUTCOME_UNKNOWN',
    outcomeUnknown: true,
  }
}
