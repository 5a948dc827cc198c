import type { AstObject } from './ast'
import { asArray, asObject, nodeOf, nodeType, stringValue, walk } from './ast'
import type {
  ConflictShape,
  KeyedUpdateShape,
  InsertShape,
  MergeShape,
  PointReadShape,
  TableName,
  UpdateAssignment,
} from './classification'
import { rangeVarTable } from './tables'

/*
 * Recognises the statement shapes the merger can fold together. Each test is deliberately
 * narrow: anything unusual (CTEs, subqueries around parameters, casts on the key, ...) is simply
 * not a shape, and the statement runs as written.
 */

/** Every `$n` under `root`, in tree order (repeats included). */
function paramNumbers(root: unknown): number[] {
  const numbers: number[] = []
  walk(root, (type, inner) => {
    if (type === 'ParamRef' && typeof inner.number === 'number') numbers.push(inner.number)
    return true
  })
  return numbers
}

/** True when the numbers are exactly 1..n, each once. */
function isEachParamOnce(numbers: readonly number[]): boolean {
  const sorted = [...numbers].sort((a, b) => a - b)
  return sorted.every((value, index) => value === index + 1)
}

/** A constant, optionally cast (`'x'`, `42`, `NULL`, `'2024-01-01'::date`). */
function isConstant(value: unknown): boolean {
  if (nodeOf(value, 'A_Const')) return true
  const cast = nodeOf(value, 'TypeCast')
  return cast !== undefined && nodeOf(cast.arg, 'A_Const') !== undefined
}

function isParam(value: unknown): boolean {
  return nodeOf(value, 'ParamRef') !== undefined
}

/** The number of a bare `$n`. */
function paramNumber(value: unknown): number | undefined {
  const number = nodeOf(value, 'ParamRef')?.number
  return typeof number === 'number' ? number : undefined
}

/** The alias or name the statement refers to its table by. */
function tableReference(relation: unknown): string | undefined {
  const aliasName = asObject(asObject(relation)?.alias)?.aliasname
  if (typeof aliasName === 'string') return aliasName
  return rangeVarTable(relation)?.name
}

/** The column a ColumnRef names when it names a column of `table` (`col`, `t.col`, `s.t.col`). */
function columnOf(
  value: unknown,
  table: TableName,
  reference: string | undefined,
): string | undefined {
  const fields = asArray(nodeOf(value, 'ColumnRef')?.fields).map(stringValue)
  if (fields.length === 0 || fields.length > 3 || fields.some((field) => field === undefined))
    return undefined
  const names = fields as string[]
  if (names.length === 2 && names[0] !== reference) return undefined
  if (names.length === 3 && (names[0] !== table.schema || names[1] !== table.name)) return undefined
  return names[names.length - 1]
}

/** `col = $n` (either side) where col belongs to the statement's only table. */
function keyEquality(
  expression: unknown,
  table: TableName,
  reference: string | undefined,
): { column: string; param: number } | undefined {
  const expr = nodeOf(expression, 'A_Expr')
  if (!expr || expr.kind !== 'AEXPR_OP') return undefined
  const operator = asArray(expr.name).map(stringValue)
  if (operator.length !== 1 || operator[0] !== '=') return undefined
  for (const [columnSide, paramSide] of [
    [expr.lexpr, expr.rexpr],
    [expr.rexpr, expr.lexpr],
  ] as const) {
    const column = columnOf(columnSide, table, reference)
    const param = paramNumber(paramSide)
    if (column !== undefined && param !== undefined) return { column, param }
  }
  return undefined
}

function insertShape(insert: AstObject): InsertShape | undefined {
  const table = rangeVarTable(insert.relation)
  const select = nodeOf(insert.selectStmt, 'SelectStmt')
  if (!table || !select || insert.withClause !== undefined) return undefined
  const rows = asArray(select.valuesLists)
  const onlyValues = Object.keys(select).every((key) =>
    ['valuesLists', 'limitOption', 'op'].includes(key),
  )
  if (rows.length !== 1 || !onlyValues) return undefined
  const items = asArray(nodeOf(rows[0], 'List')?.items)
  const simple = items.every(
    (item) =>
      isParam(item) ||
      isConstant(item) ||
      nodeOf(item, 'SetToDefault') !== undefined ||
      isCastParam(item),
  )
  // Parameters only in the VALUES row, so a row can be renumbered on its own.
  const all = paramNumbers(insert)
  if (!simple || all.length === 0 || paramNumbers(items).length !== all.length) return undefined
  if (!isEachParamOnce([...new Set(all)])) return undefined
  const columns = asArray(insert.cols).map((col) => asObject(nodeOf(col, 'ResTarget'))?.name)
  if (columns.some((name) => typeof name !== 'string')) return undefined
  if (asArray(insert.cols).some((col) => nodeOf(col, 'ResTarget')?.indirection !== undefined))
    return undefined
  const conflict =
    insert.onConflictClause === undefined ? undefined : conflictShape(insert.onConflictClause)
  return {
    kind: 'insert',
    table,
    columns: columns.length > 0 ? (columns as string[]) : undefined,
    rowParams: items.map((item) => paramNumber(item) ?? null),
    returning: insert.returningClause !== undefined,
    onConflict: insert.onConflictClause !== undefined,
    ...(conflict ? { conflict } : {}),
  }
}

/** Whether an expression tree calls functions or holds subqueries. */
function callsOrQueries(root: unknown): boolean {
  let found = false
  walk(root, (type) => {
    if (type === 'FuncCall' || type === 'SubLink' || type === 'SelectStmt') found = true
    return !found
  })
  return found
}

function conflictShape(clause: unknown): ConflictShape | undefined {
  const conflict = asObject(clause)
  const infer = asObject(conflict?.infer)
  if (!conflict || !infer || infer.conname !== undefined || infer.whereClause !== undefined)
    return undefined
  const elems = asArray(infer.indexElems)
  const elem = nodeOf(elems[0], 'IndexElem')
  if (elems.length !== 1 || !elem || typeof elem.name !== 'string') return undefined
  if (elem.expr !== undefined || elem.collation !== undefined || elem.opclass !== undefined)
    return undefined
  const keyColumn = elem.name
  if (conflict.action === 'ONCONFLICT_NOTHING')
    return { keyColumn, action: 'nothing', setColumns: [] }
  if (
    conflict.action !== 'ONCONFLICT_UPDATE' ||
    callsOrQueries(conflict.targetList) ||
    callsOrQueries(conflict.whereClause)
  )
    return undefined
  const setColumns: string[] = []
  for (const target of asArray(conflict.targetList)) {
    const resTarget = nodeOf(target, 'ResTarget')
    if (!resTarget || typeof resTarget.name !== 'string' || resTarget.indirection !== undefined)
      return undefined
    // Changing the key would let one query's update decide what a later query conflicts with.
    if (resTarget.name === keyColumn) return undefined
    setColumns.push(resTarget.name)
  }
  return { keyColumn, action: 'update', setColumns }
}

function isCastParam(value: unknown): boolean {
  const cast = nodeOf(value, 'TypeCast')
  return cast !== undefined && isParam(cast.arg)
}

function pointReadShape(select: AstObject): PointReadShape | undefined {
  const plain = [
    'targetList',
    'fromClause',
    'whereClause',
    'groupClause',
    'groupDistinct',
    'havingClause',
    'limitOption',
    'op',
    'windowClause',
  ]
  if (!Object.keys(select).every((key) => plain.includes(key)) || select.op !== 'SETOP_NONE')
    return undefined
  const from = asArray(select.fromClause)
  const relation = nodeOf(from[0], 'RangeVar')
  const table = rangeVarTable(relation)
  if (from.length !== 1 || !table) return undefined
  const params = paramNumbers(select)
  if (params.length !== 1 || params[0] !== 1) return undefined
  const where = select.whereClause
  const reference = tableReference(relation)
  let key = keyEquality(where, table, reference)
  const and = nodeOf(where, 'BoolExpr')
  if (!key && and?.boolop === 'AND_EXPR') {
    // The only parameter is in one conjunct; the others are param-free by the count above.
    for (const arg of asArray(and.args)) key ??= keyEquality(arg, table, reference)
  }
  return key ? { kind: 'point_read', table, keyColumn: key.column } : undefined
}

const arithmetic = new Set(['+', '-', '*', '||'])

/** `column <op> $n` or `$n <op> column` with op in `+ - * ||`. */
function columnOperation(
  value: unknown,
  table: TableName,
  reference: string | undefined,
): { param: number; operand: string; operator: string } | undefined {
  const expr = nodeOf(value, 'A_Expr')
  if (!expr || expr.kind !== 'AEXPR_OP') return undefined
  const name = asArray(expr.name).map(stringValue)
  const operator = name[0]
  if (name.length !== 1 || operator === undefined || !arithmetic.has(operator)) return undefined
  for (const [columnSide, paramSide] of [
    [expr.lexpr, expr.rexpr],
    [expr.rexpr, expr.lexpr],
  ] as const) {
    const operand = columnOf(columnSide, table, reference)
    const param = paramNumber(paramSide)
    if (operand !== undefined && param !== undefined) return { param, operand, operator }
  }
  return undefined
}

function keyedUpdateShape(update: AstObject): KeyedUpdateShape | undefined {
  const table = rangeVarTable(update.relation)
  const allowed = ['relation', 'targetList', 'whereClause']
  if (!table || !Object.keys(update).every((key) => allowed.includes(key))) return undefined
  const key = keyEquality(update.whereClause, table, tableReference(update.relation))
  if (!key) return undefined
  const assignments: UpdateAssignment[] = []
  const reference = tableReference(update.relation)
  for (const target of asArray(update.targetList)) {
    const resTarget = nodeOf(target, 'ResTarget')
    const column = resTarget?.name
    if (!resTarget || typeof column !== 'string' || resTarget.indirection !== undefined)
      return undefined
    // A SET that changes the key would let one query's update decide which rows the next
    // query matches; the merged statement matches all keys up front, so refuse it.
    if (column === key.column) return undefined
    const param = paramNumber(resTarget.val)
    const operation =
      param === undefined ? columnOperation(resTarget.val, table, reference) : undefined
    if (param !== undefined) assignments.push({ column, param })
    else if (operation)
      assignments.push({
        column,
        param: operation.param,
        operation: { operand: operation.operand, operator: operation.operator },
      })
    else if (!isConstant(resTarget.val)) return undefined
  }
  const params = paramNumbers(update)
  if (!isEachParamOnce(params) || assignments.length === 0) return undefined
  return { kind: 'keyed_update', table, keyColumn: key.column, keyParam: key.param, assignments }
}

/** The merge shape of a single parsed statement that is read-only when `readOnly`. */
export function mergeShape(stmt: unknown, readOnly: boolean): MergeShape | undefined {
  const type = nodeType(stmt)
  const inner = type === undefined ? undefined : nodeOf(stmt, type)
  if (!inner) return undefined
  if (type === 'InsertStmt') return insertShape(inner)
  if (type === 'SelectStmt' && readOnly) return pointReadShape(inner)
  if (type === 'UpdateStmt') return keyedUpdateShape(inner)
  return undefined
}
