import type { PlannedStatement, QueryShare } from '../../plan/plan'

/**
 * One row (insert), key (point read) or keyed update of a merged statement, and the queries it
 * answers: several when identical reads were deduplicated into it, otherwise one.
 */
export interface MergeMember {
  readonly params: readonly unknown[]
  readonly queryIndexes: readonly number[]
}

/** Every query index of the members, ascending (the order `queryIndexes` promises). */
export function memberQueryIndexes(members: readonly MergeMember[]): number[] {
  return members.flatMap((member) => member.queryIndexes).sort((a, b) => a - b)
}

/** Turns one share per member into one share per query, in `memberQueryIndexes` order. */
export function sharesPerQuery(
  members: readonly MergeMember[],
  memberShares: readonly QueryShare[],
): QueryShare[] {
  const byQuery = new Map<number, QueryShare>()
  members.forEach((member, position) => {
    const share = memberShares[position]
    if (!share) throw new Error(`merged statement: no share for member ${position}`)
    // Each deduplicated copy gets its own rows, so one caller mutating its rows cannot touch
    // another's (shallow: nested JSON values are shared).
    member.queryIndexes.forEach((index, copy) => {
      byQuery.set(index, {
        rows: copy === 0 ? share.rows : share.rows.map((row) => ({ ...row })),
        rowCount: share.rowCount,
      })
    })
  })
  return memberQueryIndexes(members).map((index) => byQuery.get(index) as QueryShare)
}

/**
 * `split()` for merged statements: the members in two halves, each built again (a half of one
 * member becomes that query's own statement), so the executor can bisect to the guilty query.
 */
export function splitMembers(
  members: readonly MergeMember[],
  build: (members: readonly MergeMember[]) => PlannedStatement,
): PlannedStatement[] | undefined {
  if (members.length < 2) return undefined
  const middle = Math.ceil(members.length / 2)
  return [build(members.slice(0, middle)), build(members.slice(middle))]
}
