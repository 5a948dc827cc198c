import type { LedgerEntry } from '../idempotency/ledgerTable'
import type { Classification } from '../sql/classification'
import type { Row } from '../types'
import type { Strategy } from '@sluice/contract'

/*
 * The contract between the pipeline's executor (src/pipeline, src/execution) and the optimizer
 * (src/optimizer). The executor hands a batch's queries to a Planner and runs the statements of
 * the Plan it gets back; each statement says which queries it answers and how to hand its result
 * back to them.
 */

/** A query of the batch being planned. `index` is its position in the batch (submission order). */
export interface BatchQuery {
  readonly index: number
  readonly sql: string
  readonly params: readonly unknown[]
  /** Queries sharing a groupId came from one `addGroup` call. */
  readonly groupId?: string | undefined
  /** What the parser said about `sql` when the query was accepted (undefined: unparsable). */
  readonly classification: Classification | undefined
  /** Set for a keyed query (`addQueries(..., { ledger })`): its write carries this ledger row. */
  readonly ledger?: LedgerEntry | undefined
}

/** A statement's raw result as PostgreSQL returned it. */
export interface StatementOutcome {
  readonly rows: Row[]
  readonly rowCount: number | null
}

/** One query's share of a statement's result. */
export interface QueryShare {
  readonly rows: Row[]
  readonly rowCount: number
}

/** How a statement came to be. `single` is a query sent as it was given. */
export type StatementKind =
  'single' | 'deduplicated' | 'merged_insert' | 'point_read' | 'keyed_update'

/** One statement to send to PostgreSQL. */
export interface PlannedStatement {
  readonly kind: StatementKind
  readonly text: string
  readonly values: readonly unknown[]
  /** Batch indexes of the queries this statement answers, in submission order. */
  readonly queryIndexes: readonly number[]
  /**
   * For a merged statement: how many operations (rows, keys, keyed updates) it folds into one,
   * reported as `db.operation.batch.size`. Unset for a statement sent as given or deduplicated
   * (one operation, however many identical queries share its answer).
   */
  readonly mergedOperations?: number
  /** From the parser, for spans: e.g. `INSERT`, `SELECT`. */
  readonly operation?: string
  /** From the parser, for spans: the main table, e.g. `public.accounts`. */
  readonly collection?: string
  /**
   * True when the planner knows this statement may share a transaction with others (no
   * transaction control, no VACUUM / CONCURRENTLY, ...). Unset means "do not assume".
   */
  readonly transactionSafe?: boolean
  /**
   * True when the parser proves the statement changes nothing (a plain read): one whose answer
   * was lost may simply be asked again.
   */
  readonly readOnly?: boolean
  /**
   * Splits this statement's result into one share per entry of `queryIndexes`, same order.
   * For a `single` statement: the outcome itself.
   */
  distribute(outcome: StatementOutcome): QueryShare[]
  /**
   * When this statement failed: smaller statements answering the same queries (halves, to
   * bisect towards the guilty query), or `undefined` when it answers only one query's work.
   */
  split(): PlannedStatement[] | undefined
}

/** The statements a batch runs, and what the optimizer did. */
export interface Plan {
  /** In execution order. Results still go back to queries in submission order. */
  readonly statements: readonly PlannedStatement[]
  /** Queries answered by another identical read instead of their own statement. */
  readonly deduplicated: number
  /** Queries folded into a merged statement (a 100-row merged INSERT counts 100). */
  readonly merged: number
  /** Whether any statement runs in another order than its queries were submitted. */
  readonly reordered: boolean
  /** Why things were or were not merged/moved, for `explain()`. */
  readonly notes: readonly string[]
}

/** What a planner may ask of the database (parameter types of a statement, say). */
export interface PlanningContext {
  readonly strategy: Strategy
  /**
   * Runs a helper query on a connection of the pipeline (not part of the batch); with
   * `preparedName`, as a prepared statement of that name (the text must never change).
   */
  readonly query: (
    text: string,
    values?: readonly unknown[],
    options?: { readonly preparedName?: string },
  ) => Promise<StatementOutcome>
}

/** Turns a batch into a plan. The optimizer's planner and the plain one both implement it. */
export interface Planner {
  plan(queries: readonly BatchQuery[], context: PlanningContext): Promise<Plan>
}
