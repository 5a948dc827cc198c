import type { PlannedStatement } from '../plan/plan'

/**
 * Whether running these statements again can change nothing: every one is read-only by
 * PostgreSQL's parser (a plain SELECT with no data-modifying CTE, no locking clause, only
 * side-effect-free functions; the planner says so on each). A read whose answer was lost is then
 * re-run instead of being reported as outcome unknown.
 */
export function allReadOnly(statements: readonly PlannedStatement[]): boolean {
  return statements.length > 0 && statements.every((statement) => statement.readOnly === true)
}
