/*
 * Untyped access to libpg-query's JSON AST. The parser's output is a tree of `{ NodeType: {...} }`
 * objects; the classifier mostly needs "visit every node" and "is this node of type X", which is
 * simpler and safer over `unknown` than over the 300-member Node union.
 */

/** A parse-tree object, e.g. the inside of `{ SelectStmt: {...} }`. */
export type AstObject = Record<string, unknown>

/** The object when `value` is one, else undefined. */
export function asObject(value: unknown): AstObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as AstObject)
    : undefined
}

/** The array when `value` is one, else an empty array. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : []
}

/** The inside of a `{ [type]: inner }` node when it is of that type. */
export function nodeOf(value: unknown, type: string): AstObject | undefined {
  return asObject(asObject(value)?.[type])
}

/** The type name of a `{ Type: {...} }` node (its only key), else undefined. */
export function nodeType(value: unknown): string | undefined {
  const object = asObject(value)
  if (!object) return undefined
  const keys = Object.keys(object)
  return keys.length === 1 &&
    /* node types start upper-case */ keys[0] !== undefined &&
    keys[0][0] !== keys[0][0]?.toLowerCase()
    ? keys[0]
    : undefined
}

/** The string of a `{ String: { sval } }` node. */
export function stringValue(value: unknown): string | undefined {
  const sval = nodeOf(value, 'String')?.sval
  return typeof sval === 'string' ? sval : undefined
}

/**
 * Calls `visit(type, inner)` for every typed node under `root` (root included), depth first.
 * Return false from `visit` to skip a node's children.
 */
export function walk(
  root: unknown,
  visit: (type: string, inner: AstObject) => boolean | undefined,
): void {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i])
      continue
    }
    const object = asObject(value)
    if (!object) continue
    const type = nodeType(object)
    if (type !== undefined) {
      const inner = asObject(object[type])
      if (inner && visit(type, inner) !== false) stack.push(...Object.values(inner).reverse())
      continue
    }
    // A plain field object (e.g. a RangeVar's alias record or an `ival` box): look inside.
    stack.push(...Object.values(object).reverse())
  }
}
