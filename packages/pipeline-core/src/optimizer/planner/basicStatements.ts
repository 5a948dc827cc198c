import type { BatchQuery, PlannedStatement, StatementOutcome } from '../../plan/plan'
import { singleStatement, statementFields } from '../../plan/singleStatement'

/**
 * One read answering several identical queries (same text, same parameters, no write between
 * them). Every copy gets the same rows, each in an array of its own. If it fails, every copy
 * fails the same way, as each would have alone, so it is not split.
 */
export function dedupedStatement(
  first: BatchQuery,
  queryIndexes: readonly number[],
): PlannedStatement {
  if (queryIndexes.length === 1) return singleStatement(first)
  const indexes = [...queryIndexes].sort((a, b) => a - b)
  return {
    kind: 'deduplicated',
    text: first.sql,
    values: first.params,
    queryIndexes: indexes,
    ...statementFields(first.classification),
    distribute: (outcome: StatementOutcome) =>
      // Each copy gets its own row objects, so one caller mutating its rows cannot touch another's.
      indexes.map((_, copy) => ({
        rows: copy === 0 ? outcome.rows : outcome.rows.map((row) => ({ ...row })),
        rowCount: outcome.rowCount ?? 0,
      })),
    split: () => undefined,
  }
}
