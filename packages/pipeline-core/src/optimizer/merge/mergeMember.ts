import type { BatchQuery, PlannedStatement, QueryShare } from '../../plan/plan'
import { singleStatement } from '../../plan/singleStatement'
import type { Row } from '../../types'

/**
 * One row (insert), key (point read) or keyed update of a merged statement, and the queries it
 * answers: several when identical reads were deduplicated into it, otherwise one.
 */
export interface MergeMember {
  readonly params: readonly unknown[]
  readonly queryIndexes: readonly number[]
}

/**
 * The statement for a merge of one member: its query as given (with that member's params and
 * index), since there is nothing to merge; `undefined` for several members.
 */
export function soleMemberStatement(
  first: BatchQuery,
  members: readonly MergeMember[],
): PlannedStatement | undefined {
  const only = members[0]
  if (members.length !== 1 || !only) return undefined
  return singleStatement({
    ...first,
    params: only.params,
    index: only.queryIndexes[0] ?? first.index,
  })
}

/** The column a merged statement numbers its members' rows by (`WITH ORDINALITY`), from 1. */
export const ORDINAL = '__sluice_ord'

/**
 * How many rows each member's part of a merged write affected, from the ordinals the statement
 * returned; `atMostOne`: a member may affect one row at most (an upsert's row). Throws on an
 * ordinal it did not send, so a result that cannot be handed back is never guessed at.
 */
export function rowCountsByOrdinal(
  members: readonly MergeMember[],
  rows: readonly Row[],
  what: string,
  atMostOne: boolean,
): number[] {
  const counts = members.map(() => 0)
  for (const row of rows) {
    const position = Number(row[ORDINAL]) - 1
    const count = counts[position]
    if (count === undefined || (atMostOne && count !== 0))
      throw new Error(`${what} returned an unexpected ordinal ${String(row[ORDINAL])}`)
    counts[position] = count + 1
  }
  return counts
}

/** Every query index of the members, ascending (the order `queryIndexes` promises). */
export function memberQueryIndexes(members: readonly MergeMember[]): number[] {
  // Members come in query order, so the indexes usually are ascending already: sort only if not.
  const indexes: number[] = []
  let last = -1
  let ascending = true
  for (const member of members) {
    for (const index of member.queryIndexes) {
      if (index < last) ascending = false
      last = index
      indexes.push(index)
    }
  }
  return ascending ? indexes : indexes.sort((a, b) => a - b)
}

/** One query per member, in query order: each member's share is its query's share as it is. */
function oneQueryEach(members: readonly MergeMember[]): boolean {
  let last = -1
  for (const member of members) {
    const only = member.queryIndexes[0]
    if (member.queryIndexes.length !== 1 || only === undefined || only < last) return false
    last = only
  }
  return true
}

/** Turns one share per member into one share per query, in `memberQueryIndexes` order. */
export function sharesPerQuery(
  members: readonly MergeMember[],
  memberShares: readonly QueryShare[],
): QueryShare[] {
  if (memberShares.length < members.length)
    throw new Error(`merged statement: no share for member ${memberShares.length}`)
  if (oneQueryEach(members)) return memberShares.slice(0, members.length)
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
