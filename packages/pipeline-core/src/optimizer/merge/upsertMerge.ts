import type { BatchQuery, PlannedStatement, StatementOutcome } from '../../plan/plan'
import type { Classification, ConflictShape, InsertShape } from '../../sql/classification'
import { statementFields } from '../../plan/singleStatement'
import { quoteIdentifier } from '../../sql/tokenText'
import { templateFor, unnestInsertTypes } from './insertMerge'
import { canonicalKey } from './keyedUpdateMerge'
import type { MergeMember } from './mergeMember'
import {
  memberQueryIndexes,
  ORDINAL,
  rowCountsByOrdinal,
  soleMemberStatement,
  sharesPerQuery,
  splitMembers,
} from './mergeMember'
import { arrayParameter, isArrayElementSafe } from './parameterValues'
import type { TableInfo } from './tableCatalog'
import { isPlainWriteTarget, writeTargetRefusal } from './tableCatalog'

const SOURCE = '__sluice_src'
const INSERTED = '__sluice_ins'

/** What an upsert merge needs, worked out once per text. */
export interface UpsertPlan {
  readonly conflict: ConflictShape
  /** Array element type per inserted column. */
  readonly types: readonly string[]
  /** Parameter number feeding each inserted column. */
  readonly columnParams: readonly number[]
  /** Position of the conflict key among the inserted columns. */
  readonly keyPosition: number
}

/**
 * The upsert plan of an `INSERT ... ON CONFLICT (key) ...`, or why it cannot merge. Needs the
 * unnest form (explicit columns fed by bare parameters), the key among the inserted columns with
 * a type whose equality JavaScript can decide, a plain table (no rules or user triggers), no
 * RETURNING, and, for DO UPDATE, set columns outside every unique index (deferrable unique
 * checks at statement end would otherwise see a merged statement differently from separate
 * ones).
 */
export function upsertPlan(
  query: BatchQuery,
  classification: Classification,
  shape: InsertShape,
  table: TableInfo | undefined,
): UpsertPlan | string {
  const conflict = shape.conflict
  if (!conflict)
    return 'its ON CONFLICT clause is not a single-column conflict target with a plain action'
  if (shape.returning) return 'ON CONFLICT with RETURNING is not merged'
  if (query.params.length !== classification.paramCount)
    return 'its parameter count does not match the SQL'
  if (!isPlainWriteTarget(table))
    return writeTargetRefusal(table) ?? 'the table is not a plain write target'
  if (table.hasExpressionUniqueIndex)
    return 'the table has a unique index on expressions or with a predicate'
  const types = unnestInsertTypes({ ...shape, returning: false }, table)
  const columns = shape.columns
  if (!types || !columns)
    return 'its columns are not all fed by bare parameters of array-capable types'
  const keyPosition = columns.indexOf(conflict.keyColumn)
  const key = table.columns.get(conflict.keyColumn)
  if (keyPosition < 0 || !key) return 'the conflict key is not one of the inserted columns'
  for (const name of conflict.setColumns) {
    if (table.columns.get(name)?.uniqueIndexed !== false)
      return `DO UPDATE sets ${name}, which is part of a unique or exclusion index`
  }
  if (!templateFor(query.sql)) return 'its VALUES row could not be located'
  const columnParams = shape.rowParams.map((param) => param ?? 0)
  const keyValue = query.params[(columnParams[keyPosition] ?? 0) - 1]
  if (canonicalKey(key, keyValue) === undefined)
    return 'its key value is not in a canonical form whose equality is known'
  if (!query.params.every(isArrayElementSafe)) return 'a parameter value cannot travel in an array'
  return { conflict, types, columnParams, keyPosition }
}

/** The canonical key of a query under an upsert plan (distinct keys may share a statement). */
export function upsertKey(
  plan: UpsertPlan,
  table: TableInfo,
  params: readonly unknown[],
): string | undefined {
  const key = table.columns.get(plan.conflict.keyColumn)
  return key ? canonicalKey(key, params[(plan.columnParams[plan.keyPosition] ?? 0) - 1]) : undefined
}

/**
 * Merges `INSERT ... ON CONFLICT (key) DO NOTHING | DO UPDATE ...` queries of one text with
 * pairwise distinct keys:
 *
 *   WITH __sluice_src AS (SELECT * FROM unnest($1::t1[], ...) WITH ORDINALITY AS __sluice_src(c1, ..., __sluice_ord)),
 *        __sluice_ins AS (INSERT INTO t (cols) SELECT c1, ... FROM __sluice_src ORDER BY __sluice_ord
 *                         ON CONFLICT ... RETURNING key)
 *   SELECT __sluice_src.__sluice_ord FROM __sluice_src JOIN __sluice_ins ON __sluice_ins.key = __sluice_src.cK
 *
 * Equivalence: rows are proposed in submission order (ORDER BY the ordinality); keys are
 * distinct, so no row conflicts with another row of the statement, and each query inserts or
 * updates only its own key's row, as alone; the ON CONFLICT expressions hold no subquery or
 * function call, so they cannot see the other rows' effects. RETURNING gives the key of every
 * row inserted or updated (DO NOTHING skips and a false DO UPDATE WHERE return nothing); the join
 * maps it back to its query in SQL, under SQL's own equality, so each query's rowCount is 1 or 0
 * exactly as it would have been.
 */
export function upsertStatement(
  first: BatchQuery,
  classification: Classification,
  plan: UpsertPlan,
  members: readonly MergeMember[],
): PlannedStatement {
  const template = templateFor(first.sql)
  const sole = soleMemberStatement(first, members)
  if (sole) return sole
  if (!template) throw new Error('upsertStatement: no VALUES row template')
  const columns = plan.types.map((_, position) => `c${String(position + 1)}`)
  const arrays = plan.types.map((type, position) => `$${String(position + 1)}::${type}[]`)
  const key = quoteIdentifier(plan.conflict.keyColumn)
  const text =
    `WITH ${SOURCE} AS (SELECT * FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS ${SOURCE}(${columns.join(', ')}, ${ORDINAL})), ` +
    `${INSERTED} AS (${template.beforeValues}SELECT ${columns.join(', ')} FROM ${SOURCE} ORDER BY ${ORDINAL}${template.tail} RETURNING ${key}) ` +
    `SELECT ${SOURCE}.${ORDINAL} FROM ${SOURCE} JOIN ${INSERTED} ON ${INSERTED}.${key} = ${SOURCE}.${columns[plan.keyPosition] ?? 'c1'}`
  return {
    kind: 'merged_insert',
    text,
    values: plan.columnParams.map((param) =>
      arrayParameter(members.map((member) => member.params[param - 1])),
    ),
    queryIndexes: memberQueryIndexes(members),
    mergedOperations: members.length,
    ...statementFields(classification),
    distribute(outcome: StatementOutcome) {
      const counts = rowCountsByOrdinal(members, outcome.rows, 'merged upsert', true)
      return sharesPerQuery(
        members,
        counts.map((rowCount) => ({ rows: [], rowCount })),
      )
    },
    split: () =>
      splitMembers(members, (half) => upsertStatement(first, classification, plan, half)),
  }
}
