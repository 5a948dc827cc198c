import type { BatchQuery, PlannedStatement, StatementOutcome } from '../../plan/plan'
import type { Row } from '../../types'
import type { Classification, PointReadShape } from '../../sql/classification'
import { TwoGenerationCache } from '../../sql/twoGenerationCache'
import { statementFields } from '../../plan/singleStatement'
import { dedupedStatement } from '../planner/basicStatements'
import { editRange, paramEdits, statementExtent, tokenize } from '../../sql/tokenText'
import type { MergeMember } from './mergeMember'
import { memberQueryIndexes, ORDINAL, sharesPerQuery, splitMembers } from './mergeMember'
import { arrayParameter, isArrayElementSafe } from './parameterValues'
import type { TableInfo } from './tableCatalog'
import { isPlainReadSource } from './tableCatalog'

const KEYS = '__sluice_keys'

const bodies = new TwoGenerationCache<string, string>(500)

/** The query's text with `$1` replaced by the unnested key, ready to run per key. */
function lateralBody(sql: string): string {
  let body = bodies.get(sql)
  if (body === undefined) {
    const tokens = tokenize(sql)
    const extent = statementExtent(tokens)
    body = editRange(
      tokens,
      extent.start,
      extent.end,
      paramEdits(tokens, extent.start, extent.end, () => `${KEYS}.k`),
    )
    bodies.set(sql, body)
  }
  return body
}

/**
 * Why a point read may not join a merged one, or undefined when it may: its table must be a
 * table (a view may call volatile functions per row), the key column known and of a type that
 * has an array type.
 */
export function pointReadRefusal(
  query: BatchQuery,
  shape: PointReadShape,
  table: TableInfo | undefined,
): string | undefined {
  if (query.params.length !== 1) return 'it does not have exactly one parameter'
  if (!isArrayElementSafe(query.params[0])) return 'its key value cannot travel in an array'
  if (!isPlainReadSource(table)) return 'the table is not a plain table (views are not merged)'
  const column = table.columns.get(shape.keyColumn)
  if (!column || column.unsuitableForArrays) return 'the key column type cannot be unnested'
  return undefined
}

/**
 * Merges point reads `SELECT ... FROM t WHERE key = $1 ...` of one text into one read:
 *
 *   SELECT k.__sluice_ord, r.* FROM unnest($1::keytype[]) WITH ORDINALITY AS k(k, __sluice_ord)
 *   CROSS JOIN LATERAL (<the query, with $1 replaced by k.k>) AS r
 *
 * Equivalence: the query itself runs once per key (LATERAL), so whatever it does per key (other
 * conditions, aggregates, GROUP BY) is unchanged. The key's array element type is the key
 * column's base type, which is the type PostgreSQL infers for `$1` in `column = $1` (an unknown
 * parameter takes the other operand's type, a domain its base type), so `=` is the same
 * operator with the same semantics (collation included: the column's collation wins either
 * way). Rows are handed back by ordinality, not by comparing values in JavaScript, so a key
 * matching rows with case-insensitive or numeric-equal values behaves exactly as in SQL.
 * Duplicate keys are deduplicated before merging (each copy gets the same rows).
 *
 * This is the `= ANY($1)` read of the design, in a form whose result per key is exact.
 */
export function pointReadStatement(
  first: BatchQuery,
  classification: Classification,
  keyType: string,
  members: readonly MergeMember[],
): PlannedStatement {
  const only = members[0]
  if (members.length === 1 && only) {
    return dedupedStatement(
      { ...first, params: only.params, index: only.queryIndexes[0] ?? first.index },
      only.queryIndexes,
    )
  }
  const text =
    `SELECT ${KEYS}.${ORDINAL}, __sluice_row.* FROM unnest($1::${keyType}[]) WITH ORDINALITY AS ${KEYS}(k, ${ORDINAL}) ` +
    `CROSS JOIN LATERAL (${lateralBody(first.sql)}) AS __sluice_row`
  return {
    kind: 'point_read',
    text,
    values: [arrayParameter(members.map((member) => member.params[0]))],
    queryIndexes: memberQueryIndexes(members),
    mergedOperations: members.length,
    ...statementFields(classification),
    distribute(outcome: StatementOutcome) {
      const perMember: Row[][] = members.map(() => [])
      for (const row of outcome.rows) {
        const { [ORDINAL]: ordinal, ...rest } = row
        const target = perMember[Number(ordinal) - 1]
        if (!target)
          throw new Error(`merged point read returned an unknown ordinal ${String(ordinal)}`)
        target.push(rest)
      }
      return sharesPerQuery(
        members,
        perMember.map((rows) => ({ rows, rowCount: rows.length })),
      )
    },
    split: () =>
      splitMembers(members, (half) => pointReadStatement(first, classification, keyType, half)),
  }
}
