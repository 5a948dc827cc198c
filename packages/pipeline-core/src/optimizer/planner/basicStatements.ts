import type { BatchQuery, PlannedStatement, StatementOutcome } from '../../plan/plan'
import type { Classification } from '../classifier/classification'

/** Span fields and transaction safety of a statement, from its classification. */
export function statementFields(
  classification: Classification | undefined,
): Pick<PlannedStatement, 'operation' | 'collection' | 'transactionSafe'> {
  return {
    ...(classification?.operation !== undefined ? { operation: classification.operation } : {}),
    ...(classification?.collection !== undefined ? { collection: classification.collection } : {}),
    // Same rule as the plain planner: a statement whose effects a rollback might not undo
    // (sequences, advisory locks, unknown functions) is never replayed inside a shared transaction.
    transactionSafe:
      classification !== undefined &&
      classification.transactionSafe &&
      !classification.writesUnknown,
  }
}

/** A query sent exactly as given. */
export function singleStatement(
  query: BatchQuery,
  classification: Classification | undefined,
): PlannedStatement {
  return {
    kind: 'single',
    text: query.sql,
    values: query.params,
    queryIndexes: [query.index],
    ...statementFields(classification),
    distribute: (outcome: StatementOutcome) => [
      { rows: outcome.rows, rowCount: outcome.rowCount ?? 0 },
    ],
    split: () => undefined,
  }
}

/**
 * One read answering several identical queries (same text, same parameters, no write between
 * them). Every copy gets the same rows, each in an array of its own. If it fails, every copy
 * fails the same way, as each would have alone, so it is not split.
 */
export function dedupedStatement(
  first: BatchQuery,
  queryIndexes: readonly number[],
  classification: Classification | undefined,
): PlannedStatement {
  if (queryIndexes.length === 1) return singleStatement(first, classification)
  const indexes = [...queryIndexes].sort((a, b) => a - b)
  return {
    kind: 'deduplicated',
    text: first.sql,
    values: first.params,
    queryIndexes: indexes,
    ...statementFields(classification),
    distribute: (outcome: StatementOutcome) =>
      // Each copy gets its own row objects, so one caller mutating its rows cannot touch another's.
      indexes.map((_, copy) => ({
        rows: copy === 0 ? outcome.rows : outcome.rows.map((row) => ({ ...row })),
        rowCount: outcome.rowCount ?? 0,
      })),
    split: () => undefined,
  }
}
