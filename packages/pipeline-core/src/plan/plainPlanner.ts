import type { BatchQuery, Plan, Planner } from './plan'
import { singleStatement } from './singleStatement'

/**
 * The planner used with `optimize: false`: one statement per query, in submission order, sent
 * exactly as given. What the parser said about each query (its classification) still gives span
 * attributes and whether the executor may send it inside a transaction (`transactionSafe`).
 *
 * @example
 * const plan = await createPlainPlanner().plan([{ index: 0, sql: 'SELECT 1', params: [], classification }], context)
 * plan.statements.length // 1
 */
export function createPlainPlanner(): Planner {
  return {
    plan(queries: readonly BatchQuery[]): Promise<Plan> {
      return Promise.resolve({
        statements: queries.map(singleStatement),
        deduplicated: 0,
        merged: 0,
        reordered: false,
        notes: [],
      })
    },
  }
}
