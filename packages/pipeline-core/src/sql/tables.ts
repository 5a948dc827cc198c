import { asArray, asObject, nodeOf, stringValue, walk } from './ast'
import type { TableName } from './classification'

/** The table a RangeVar names, as written (the parser already folded unquoted names). */
export function rangeVarTable(rangeVar: unknown): TableName | undefined {
  const object = asObject(rangeVar)
  const name = object?.relname
  if (typeof name !== 'string') return undefined
  const schema = object?.schemaname
  return typeof schema === 'string' ? { schema, name } : { name }
}

/** Every RangeVar under `root`, wrapped (`{ RangeVar: ... }`) or inline (a statement's `relation`). */
export function collectRangeVars(root: unknown): TableName[] {
  const found: TableName[] = []
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (Array.isArray(value)) {
      stack.push(...(value as unknown[]))
      continue
    }
    const object = asObject(value)
    if (!object) continue
    const table = rangeVarTable(object)
    if (table) found.push(table)
    stack.push(...Object.values(object))
  }
  return found
}

/** Names introduced by `WITH name AS (...)` anywhere under `root`: not tables. */
export function collectCteNames(root: unknown): Set<string> {
  const names = new Set<string>()
  walk(root, (type, inner) => {
    if (type === 'CommonTableExpr' && typeof inner.ctename === 'string') names.add(inner.ctename)
    return true
  })
  return names
}

/** The objects a DROP names (`DROP TABLE a, s.b`), for the written-tables list. */
export function dropObjectNames(dropStmt: unknown): TableName[] {
  const names: TableName[] = []
  for (const object of asArray(asObject(dropStmt)?.objects)) {
    const parts = asArray(nodeOf(object, 'List')?.items).map(stringValue)
    if (parts.some((part) => part === undefined)) continue
    const strings = parts as string[]
    const name = strings[strings.length - 1]
    if (name === undefined) continue
    names.push(strings.length >= 2 ? { schema: strings[strings.length - 2], name } : { name })
  }
  return names
}
