import { classifyLoaded } from '../optimizer'
import type { PlannedStatement } from '../plan/plan'

/**
 * Whether running these statements again can change nothing: every one is read-only by
 * PostgreSQL's parser (a plain SELECT with no data-modifying CTE, no locking clause, only
 * side-effect-free functions). A read whose answer was lost is then re-run instead of being
 * reported as outcome unknown.
 */
export function allReadOnly(statements: readonly PlannedStatement[]): boolean {
  if (statements.length === 0) return false
  try {
    return statements.every((statement) => classifyLoaded(statement.text).readOnly)
  } catch {
    // The parser is not loaded (or failed): do not assume anything.
    return false
  }
}
