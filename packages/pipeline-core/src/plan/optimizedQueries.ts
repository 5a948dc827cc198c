import type { Plan } from './plan'

/**
 * For each query of a batch: whether the plan merged it into a statement with others or answered
 * it by an identical read (deduplicated), or sent it as its own statement (undefined). The same
 * counts as `Plan.merged` / `Plan.deduplicated`, per query, so the engine can count them per
 * statement shape. Queries of one statement share one text, so which of a point read's copies
 * counts as the deduplicated one does not change any shape's count.
 */
export function optimizedQueries(
  plan: Plan,
  size: number,
): ('merged' | 'deduplicated' | undefined)[] {
  const marks = new Array<'merged' | 'deduplicated' | undefined>(size).fill(undefined)
  for (const statement of plan.statements) {
    const indexes = statement.queryIndexes
    if (statement.kind === 'deduplicated') {
      for (const index of indexes.slice(1)) marks[index] = 'deduplicated'
    } else if (statement.kind === 'merged_insert' || statement.kind === 'keyed_update') {
      for (const index of indexes) marks[index] = 'merged'
    } else if (statement.kind === 'point_read') {
      const distinct = (statement.values[0] as unknown[]).length
      indexes.forEach((index, position) => {
        marks[index] = position < distinct ? 'merged' : 'deduplicated'
      })
    }
  }
  return marks
}
