import { classifySql } from '../optimizer'
import type { Classification } from '../optimizer'
import type { BatchQuery, Plan, PlannedStatement, Planner, StatementOutcome } from './plan'

async function classify(sql: string): Promise<Classification | undefined> {
  try {
    return await classifySql(sql)
  } catch {
    // No classification (the parser failed to load): the statement is sent as is, unmarked.
    return undefined
  }
}

function singleStatement(
  query: BatchQuery,
  classification: Classification | undefined,
): PlannedStatement {
  // Replaying after a rollback must not repeat effects a transaction cannot undo (sequences,
  // advisory locks, calls of unknown functions), so only statements with known effects qualify.
  const transactionSafe =
    classification !== undefined && classification.transactionSafe && !classification.writesUnknown
  return {
    kind: 'single',
    text: query.sql,
    values: query.params,
    queryIndexes: [query.index],
    ...(classification?.operation !== undefined ? { operation: classification.operation } : {}),
    ...(classification?.collection !== undefined ? { collection: classification.collection } : {}),
    transactionSafe,
    distribute: (outcome: StatementOutcome) => [
      { rows: outcome.rows, rowCount: outcome.rowCount ?? 0 },
    ],
    split: () => undefined,
  }
}

/**
 * The planner used with `optimize: false`: one statement per query, in submission order, sent
 * exactly as given. It still asks the parser what each statement is, for span attributes and for
 * whether the executor may send it inside a transaction (`transactionSafe`).
 *
 * @example
 * const plan = await createPlainPlanner().plan([{ index: 0, sql: 'SELECT 1', params: [] }], context)
 * plan.statements.length // 1
 */
export function createPlainPlanner(): Planner {
  return {
    async plan(queries: readonly BatchQuery[]): Promise<Plan> {
      const statements = await Promise.all(
        queries.map(async (query) => singleStatement(query, await classify(query.sql))),
      )
      return { statements, deduplicated: 0, merged: 0, reordered: false, notes: [] }
    },
  }
}
