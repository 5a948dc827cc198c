import type { BatchQuery, PlannedStatement, StatementOutcome } from '../../plan/plan'
import type { Classification, KeyedUpdateShape } from '../../sql/classification'
import { TwoGenerationCache } from '../../sql/twoGenerationCache'
import { statementFields } from '../../plan/singleStatement'
import {
  editRange,
  findTopLevelKeyword,
  paramEdits,
  statementExtent,
  tokenize,
} from '../../sql/tokenText'
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
import type { ColumnInfo, TableInfo } from './tableCatalog'
import { isPlainWriteTarget, writeTargetRefusal } from './tableCatalog'

/** Number types with `+ - *` taking two of the same type (so `col + $1` types $1 as col's type). */
const NUMERIC_TYPES: ReadonlySet<string> = new Set([
  'int2',
  'int4',
  'int8',
  'float4',
  'float8',
  'numeric',
])

const SOURCE = '__sluice_src'

/** The UPDATE split at its top-level WHERE, with `$n` replaced by the source row's columns. */
interface UpdateTemplate {
  readonly beforeWhere: string
  readonly fromWhere: string
}

const templates = new TwoGenerationCache<string, UpdateTemplate | null>(500)

function templateFor(sql: string): UpdateTemplate | undefined {
  let template = templates.get(sql)
  if (template === undefined) {
    const tokens = tokenize(sql)
    const extent = statementExtent(tokens)
    // WHERE is a reserved word: unquoted, it is always the keyword. SET values are parameters
    // or constants (the shape), so the first top-level WHERE is the statement's.
    const where = tokens.tokens[findTopLevelKeyword(tokens, 'WHERE', extent.start) ?? -1]
    const edits = paramEdits(tokens, extent.start, extent.end, (n) => `${SOURCE}.p${String(n)}`)
    template = where
      ? {
          beforeWhere: editRange(
            tokens,
            extent.start,
            where.start,
            edits.filter((edit) => edit.end <= where.start),
          ),
          fromWhere: editRange(
            tokens,
            where.start,
            extent.end,
            edits.filter((edit) => edit.start >= where.start),
          ),
        }
      : null
    templates.set(sql, template)
  }
  return template ?? undefined
}

/**
 * A value that equals another key in SQL exactly when the canonical strings are equal, for the
 * key types where that can be decided in JavaScript; undefined otherwise (the query then runs
 * on its own). Distinct keys are what make the merged UPDATE equal to the separate ones.
 */
export function canonicalKey(column: ColumnInfo, value: unknown): string | undefined {
  switch (column.baseTypeName) {
    case 'int2':
    case 'int4':
    case 'int8': {
      if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined
      if (typeof value === 'bigint') return value.toString()
      if (typeof value !== 'string') return undefined
      try {
        // Only the canonical spelling: ' 1', '+1' and '01' are the same integer as '1'.
        return BigInt(value).toString() === value ? value : undefined
      } catch {
        return undefined
      }
    }
    case 'uuid': {
      if (typeof value !== 'string' || value.length !== 36) return undefined
      const lower = value.toLowerCase()
      for (let index = 0; index < lower.length; index++) {
        const char = lower[index] ?? ''
        const dash = index === 8 || index === 13 || index === 18 || index === 23
        if (dash ? char !== '-' : !'0123456789abcdef'.includes(char)) return undefined
      }
      return lower
    }
    case 'text':
    case 'varchar':
      // Under a deterministic collation, equal text is byte-equal text.
      return typeof value === 'string' && column.deterministicCollation ? value : undefined
    default:
      return undefined
  }
}

/** The column types of each parameter, or why the UPDATE cannot be merged. */
export function updateParamTypes(shape: KeyedUpdateShape, table: TableInfo): string[] | string {
  const key = table.columns.get(shape.keyColumn)
  if (!key) return 'the key column was not found'
  if (key.generated) return 'the key column is generated from other columns'
  if (key.unsuitableForArrays) return 'the key column type cannot be unnested'
  const types: string[] = []
  types[shape.keyParam - 1] = key.baseType
  for (const assignment of shape.assignments) {
    const column = table.columns.get(assignment.column)
    if (!column) return `column ${assignment.column} was not found`
    if (column.unsuitableForArrays)
      return `column ${assignment.column} has a type that cannot be unnested`
    // Updating rows one by one vs all at once differs when a unique/exclusion index spans a
    // set column: the checks would see other rows in another state.
    if (column.uniqueIndexed)
      return `column ${assignment.column} is part of a unique or exclusion index`
    const operation = assignment.operation
    if (operation) {
      // In `operand <op> $n` PostgreSQL gives the parameter the operand's type when an operator
      // takes two of that type: true of + - * on numbers and || on text, so the array element
      // type is the operand's base type, and the same operator runs.
      const operand = table.columns.get(operation.operand)
      if (!operand || operand.unsuitableForArrays)
        return `column ${operation.operand} was not found or cannot be unnested`
      const fits =
        operation.operator === '||'
          ? operand.baseTypeName === 'text'
          : NUMERIC_TYPES.has(operand.baseTypeName)
      if (!fits)
        return `${operation.operand} ${operation.operator} $${String(assignment.param)} is not an operation on numbers or text`
      types[assignment.param - 1] = operand.baseType
    } else {
      types[assignment.param - 1] = column.baseType
    }
  }
  if (
    types.length !== shape.assignments.length + 1 ||
    types.some((type) => typeof type !== 'string')
  )
    return 'parameters are not all bare column values'
  return types
}

/**
 * Why a keyed UPDATE may not join a merged one, or undefined. Needs a plain table without rules,
 * user triggers or expression/partial unique indexes, and a canonical key value.
 */
export function keyedUpdateRefusal(
  query: BatchQuery,
  classification: Classification,
  shape: KeyedUpdateShape,
  table: TableInfo | undefined,
): string | undefined {
  const textRefusal = keyedUpdateTextRefusal(query.sql, shape, table)
  if (textRefusal !== undefined || !table) return textRefusal ?? 'the table was not found'
  return keyedUpdateValueRefusal(query, classification, shape, table)
}

/**
 * The part of `keyedUpdateRefusal` that depends only on the text and the table: the same for
 * every query of one text in a batch, so a merge judges it once.
 */
export function keyedUpdateTextRefusal(
  sql: string,
  shape: KeyedUpdateShape,
  table: TableInfo | undefined,
): string | undefined {
  if (!table) return 'the table was not found in the catalog'
  if (!isPlainWriteTarget(table))
    return writeTargetRefusal(table) ?? 'the table is not a plain write target'
  if (table.hasExpressionUniqueIndex)
    return 'the table has a unique index on expressions or with a predicate'
  const types = updateParamTypes(shape, table)
  if (typeof types === 'string') return types
  if (!templateFor(sql)) return 'its WHERE could not be located'
  return undefined
}

/** The part of `keyedUpdateRefusal` that depends on the query's values. */
export function keyedUpdateValueRefusal(
  query: BatchQuery,
  classification: Classification,
  shape: KeyedUpdateShape,
  table: TableInfo,
): string | undefined {
  if (query.params.length !== classification.paramCount)
    return 'its parameter count does not match the SQL'
  if (!query.params.every(isArrayElementSafe)) return 'a parameter value cannot travel in an array'
  const key = table.columns.get(shape.keyColumn)
  if (!key || canonicalKey(key, query.params[shape.keyParam - 1]) === undefined) {
    return 'its key value is not in a canonical form whose equality is known'
  }
  return undefined
}

/**
 * Merges keyed UPDATEs of one text with pairwise distinct keys into one:
 *
 *   UPDATE t SET c = __sluice_src.p1 FROM unnest($1::ctype[], $2::keytype[]) WITH ORDINALITY
 *     AS __sluice_src(p1, p2, __sluice_ord) WHERE key = __sluice_src.p2 RETURNING __sluice_src.__sluice_ord
 *
 * Equivalence: keys are distinct, the key column is neither set nor generated, and no trigger,
 * rule or unique index involves the set columns, so each target row is matched by at most one
 * source row and the rows each query matches do not depend on the others' updates: the same rows
 * get the same values as with separate statements. Parameter types are the set columns' and key
 * column's base types, what PostgreSQL infers for `col = $n`. `RETURNING` the ordinality tells
 * which query updated how many rows (its rowCount).
 */
export function keyedUpdateStatement(
  first: BatchQuery,
  classification: Classification,
  types: readonly string[],
  members: readonly MergeMember[],
): PlannedStatement {
  const template = templateFor(first.sql)
  const sole = soleMemberStatement(first, members)
  if (sole) return sole
  if (!template) throw new Error('keyedUpdateStatement: no template')
  const arrays = types.map((type, position) => `$${String(position + 1)}::${type}[]`)
  const columns = types.map((_, position) => `p${String(position + 1)}`)
  return {
    kind: 'keyed_update',
    text:
      `${template.beforeWhere} FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS ${SOURCE}(${columns.join(', ')}, ${ORDINAL}) ` +
      `${template.fromWhere} RETURNING ${SOURCE}.${ORDINAL}`,
    values: types.map((_, position) =>
      arrayParameter(members.map((member) => member.params[position])),
    ),
    queryIndexes: memberQueryIndexes(members),
    mergedOperations: members.length,
    ...statementFields(classification),
    distribute(outcome: StatementOutcome) {
      const counts = rowCountsByOrdinal(members, outcome.rows, 'merged UPDATE', false)
      return sharesPerQuery(
        members,
        counts.map((rowCount) => ({ rows: [], rowCount })),
      )
    },
    split: () =>
      splitMembers(members, (half) => keyedUpdateStatement(first, classification, types, half)),
  }
}
