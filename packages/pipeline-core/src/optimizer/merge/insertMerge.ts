import { MAX_PARAMETERS } from '@sluice/contract'
import type { BatchQuery, PlannedStatement, QueryShare, StatementOutcome } from '../../plan/plan'
import type { Row } from '../../types'
import type { Classification, InsertShape } from '../../sql/classification'
import { TwoGenerationCache } from '../../sql/twoGenerationCache'
import { statementFields } from '../../plan/singleStatement'
import {
  findTopLevelKeyword,
  matchingParen,
  paramEdits,
  statementExtent,
  textBetween,
  tokenize,
} from '../../sql/tokenText'
import type { MergeMember } from './mergeMember'
import { arrayParameter } from './parameterValues'
import { memberQueryIndexes, soleMemberStatement, splitMembers } from './mergeMember'
import type { TableInfo } from './tableCatalog'
import { isPlainWriteTarget, writeTargetRefusal } from './tableCatalog'

/** PostgreSQL's limit on bind parameters in one statement. */

/**
 * A single-row INSERT cut around its VALUES row: `head` + row + `tail`, with the row kept as
 * text pieces between its `$n` tokens so any number of rows renders without re-lexing.
 */
export interface InsertTemplate {
  readonly head: string
  /** The text before the VALUES keyword (`INSERT INTO t (a, b) `), for the unnest form. */
  readonly beforeValues: string
  readonly pieces: readonly string[]
  readonly params: readonly number[]
  readonly tail: string
}

const templates = new TwoGenerationCache<string, InsertTemplate | null>(500)

function buildTemplate(sql: string): InsertTemplate | null {
  const tokens = tokenize(sql)
  const extent = statementExtent(tokens)
  // The VALUES keyword is the last top-level `VALUES (`: a table named `values` can only come
  // before it; nothing after the row (RETURNING) can be followed by `(` that way.
  let open: number | undefined
  let valuesKeyword: number | undefined
  let from = 0
  for (;;) {
    const keyword = findTopLevelKeyword(tokens, 'VALUES', from, '(')
    if (keyword === undefined) break
    valuesKeyword = keyword
    open = keyword + 1
    from = tokens.tokens[keyword]?.end ?? Number.MAX_SAFE_INTEGER
  }
  const close = open === undefined ? undefined : matchingParen(tokens, open)
  const openToken = open === undefined ? undefined : tokens.tokens[open]
  const closeToken = close === undefined ? undefined : tokens.tokens[close]
  const keywordToken = valuesKeyword === undefined ? undefined : tokens.tokens[valuesKeyword]
  if (!openToken || !closeToken || !keywordToken) return null
  const edits = paramEdits(tokens, openToken.start, closeToken.end, () => '')
  const pieces: string[] = []
  let position = openToken.start
  for (const edit of edits) {
    pieces.push(textBetween(tokens, position, edit.start))
    position = edit.end
  }
  pieces.push(textBetween(tokens, position, closeToken.end))
  const params = paramEdits(tokens, openToken.start, closeToken.end, (n) => String(n)).map((edit) =>
    Number(edit.text),
  )
  return {
    head: textBetween(tokens, extent.start, openToken.start),
    beforeValues: textBetween(tokens, extent.start, keywordToken.start),
    pieces,
    params,
    tail: textBetween(tokens, closeToken.end, extent.end),
  }
}

/** The cached template of a single-row INSERT's text, or undefined when its row cannot be found. */
export function templateFor(sql: string): InsertTemplate | undefined {
  let template = templates.get(sql)
  if (template === undefined) {
    template = buildTemplate(sql)
    templates.set(sql, template)
  }
  return template ?? undefined
}

/**
 * Why a single-row INSERT may not join a merged one, or undefined when it may. Merging needs a
 * plain table (no rules: a rule rewrites the statement; no user triggers: statement triggers
 * would fire once instead of per query, and a BEFORE trigger returning NULL would break the
 * one-row-per-query mapping) and no ON CONFLICT (a merged statement's row count cannot say
 * which query's row was skipped or updated; and DO UPDATE fails when two rows of one statement
 * hit the same key, where separate statements would not).
 */
export function insertMergeRefusal(
  query: BatchQuery,
  classification: Classification,
  shape: InsertShape,
  table: TableInfo | undefined,
): string | undefined {
  if (shape.onConflict) return 'ON CONFLICT is merged only as an upsert (see upsertMerge)'
  if (query.params.length !== classification.paramCount)
    return 'its parameter count does not match the SQL'
  if (!table) return 'the table was not found in the catalog'
  if (!isPlainWriteTarget(table))
    return writeTargetRefusal(table) ?? 'the table is not a plain write target'
  if (!templateFor(query.sql)) return 'its VALUES row could not be located'
  return undefined
}

/** The share of each query of an INSERT without RETURNING; the executor gives each result its own rows array. */
const ONE_ROW: QueryShare = Object.freeze({
  rows: Object.freeze([]) as unknown as Row[],
  rowCount: 1,
})

/** From this many rows on, a run without RETURNING goes through `unnest` (one array per column). */
export const UNNEST_MIN_ROWS = 50

/**
 * The array types for the unnest form, or undefined when it does not apply: it needs an
 * explicit column list whose VALUES items are bare, distinct parameters, columns whose base
 * types have array types, and no RETURNING (whose row order the VALUES form states plainly).
 * Each array element is the column's base type without type modifier, then assigned to the
 * column as a VALUES item would be (domain checks, length checks and rounding still apply).
 */
export function unnestInsertTypes(shape: InsertShape, table: TableInfo): string[] | undefined {
  const columns = shape.columns
  if (!columns || shape.returning || shape.rowParams.length !== columns.length) return undefined
  if (
    new Set(shape.rowParams).size !== shape.rowParams.length ||
    shape.rowParams.some((param) => param === null)
  )
    return undefined
  const types: string[] = []
  for (const name of columns) {
    const column = table.columns.get(name)
    if (!column || column.unsuitableForArrays) return undefined
    types.push(column.baseType)
  }
  return types
}

/** Most rows one merged INSERT of this text may hold (PostgreSQL's parameter limit). */
export function maxInsertRows(classification: Classification): number {
  return Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, classification.paramCount)))
}

/**
 * Merges single-row INSERTs of one text into one multi-row `INSERT ... VALUES (...), (...)`.
 *
 * Equivalence: PostgreSQL coerces each VALUES row of an INSERT to the target columns exactly as
 * for a single row, evaluates defaults per row in row order (so sequences hand out values in
 * submission order), and checks constraints per row. A failure fails the whole statement; the
 * executor then bisects with `split()`, so only the guilty query fails.
 *
 * RETURNING: each query inserts exactly one row (no ON CONFLICT, rules or triggers, checked
 * above), and rows come back in VALUES order: the executor's ModifyTable node inserts the rows
 * its Values Scan produces one at a time, in list order, and emits each RETURNING row as it
 * inserts it. The SQL standard does not promise this order; PostgreSQL's executor has always
 * worked this way. `distribute` checks the count and fails the statement's queries loudly
 * rather than hand a row to the wrong query if it ever does not match.
 *
 * `unnestTypes` (from `unnestInsertTypes`) allows the unnest form for long runs; give it only
 * when every member's values can travel in an array (`isArrayElementSafe`), checked once by
 * the caller.
 *
 * @example
 * mergedInsertStatement(queries[0], classification, [{ params: [1, 'a'], queryIndexes: [0] }, { params: [2, 'b'], queryIndexes: [1] }])
 * // text: INSERT INTO items (id, name) VALUES ($1, $2), ($3, $4)
 */
export function mergedInsertStatement(
  first: BatchQuery,
  classification: Classification,
  members: readonly MergeMember[],
  unnestTypes?: readonly string[],
): PlannedStatement {
  const template = templateFor(first.sql)
  const sole = soleMemberStatement(first, members)
  if (sole) return sole
  if (!template) throw new Error('mergedInsertStatement: no VALUES row template')
  const shape = classification.shape
  const rebuild = (half: readonly MergeMember[]): PlannedStatement =>
    mergedInsertStatement(first, classification, half, unnestTypes)
  const long =
    members.length >= UNNEST_MIN_ROWS || members.length * classification.paramCount > MAX_PARAMETERS
  if (unnestTypes && shape?.kind === 'insert' && long) {
    return unnestInsertStatement(template, classification, shape, unnestTypes, members, rebuild)
  }
  const perRow = classification.paramCount
  const rows = members.map((_, row) => {
    const offset = row * perRow
    let text = template.pieces[0] ?? ''
    template.params.forEach((param, position) => {
      text += `$${param + offset}${template.pieces[position + 1] ?? ''}`
    })
    return text
  })
  const returning = classification.shape?.kind === 'insert' && classification.shape.returning
  return {
    kind: 'merged_insert',
    text: `${template.head}${rows.join(', ')}${template.tail}`,
    values: members.flatMap((member) => member.params),
    queryIndexes: memberQueryIndexes(members),
    mergedOperations: members.length,
    ...statementFields(classification),
    distribute(outcome: StatementOutcome) {
      if (
        outcome.rowCount !== members.length ||
        (returning && outcome.rows.length !== members.length)
      ) {
        throw new Error(
          `merged INSERT of ${members.length} rows reported ${String(outcome.rowCount)} rows`,
        )
      }
      return members.map((_, row) => ({
        rows: returning && outcome.rows[row] ? [outcome.rows[row]] : [],
        rowCount: 1,
      }))
    },
    split: () => splitMembers(members, rebuild),
  }
}

/**
 * The long-run form: `INSERT INTO t (a, b) SELECT * FROM unnest($1::atype[], $2::btype[])`, one
 * array per column, so the statement text and parameter count stay constant however many rows
 * it carries (no 65535-parameter limit, little parsing). unnest of several arrays yields their
 * elements side by side, in array order, so rows are inserted in submission order.
 */
function unnestInsertStatement(
  template: InsertTemplate,
  classification: Classification,
  shape: InsertShape,
  types: readonly string[],
  members: readonly MergeMember[],
  rebuild: (half: readonly MergeMember[]) => PlannedStatement,
): PlannedStatement {
  const arrays = types.map((type, position) => `$${String(position + 1)}::${type}[]`)
  return {
    kind: 'merged_insert',
    text: `${template.beforeValues}SELECT * FROM unnest(${arrays.join(', ')})`,
    values: shape.rowParams.map((param) =>
      arrayParameter(members.map((member) => member.params[(param ?? 0) - 1])),
    ),
    queryIndexes: memberQueryIndexes(members),
    mergedOperations: members.length,
    ...statementFields(classification),
    distribute(outcome: StatementOutcome) {
      if (outcome.rowCount !== members.length) {
        throw new Error(
          `merged INSERT of ${String(members.length)} rows reported ${String(outcome.rowCount)} rows`,
        )
      }
      return members.map(() => ONE_ROW)
    },
    split: () => splitMembers(members, rebuild),
  }
}
