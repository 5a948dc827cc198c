import type { Classification } from '../sql/classification'
import type { BatchQuery, PlannedStatement, StatementOutcome } from './plan'

/** What a statement's classification says about it: span fields, transaction safety, read-only. */
export function statementFields(
  classification: Classification | undefined,
): Pick<PlannedStatement, 'operation' | 'collection' | 'transactionSafe' | 'readOnly'> {
  return {
    ...(classification?.operation !== undefined ? { operation: classification.operation } : {}),
    ...(classification?.collection !== undefined ? { collection: classification.collection } : {}),
    // A statement whose effects a rollback might not undo (sequences, advisory locks, unknown
    // functions) is never replayed inside a shared transaction.
    transactionSafe:
      classification !== undefined &&
      classification.transactionSafe &&
      !classification.writesUnknown,
    readOnly: classification?.readOnly === true,
  }
}

/**
 * A query sent exactly as it was given.
 *
 * @example
 * const statement = singleStatement(batchQuery)
 * statement.text === batchQuery.sql // true
 */
export function singleStatement(query: BatchQuery): PlannedStatement {
  return {
    kind: 'single',
    text: query.sql,
    values: query.params,
    queryIndexes: [query.index],
    ...statementFields(query.classification),
    distribute: (outcome: StatementOutcome) => [
      { rows: outcome.rows, rowCount: outcome.rowCount ?? 0 },
    ],
    split: () => undefined,
  }
}
