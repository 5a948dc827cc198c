/*
 * Which parameter values can travel inside a PostgreSQL array (for `unnest($1::type[])`), and a
 * stable key for comparing parameter lists (deduplication).
 */

/**
 * True when pg serializes `value` inside an array literal exactly as it would as a parameter of
 * its own: null/undefined, strings, numbers, bigints, booleans and Dates. Arrays (which would
 * nest), Buffers (sent in binary on their own) and objects are refused.
 */
export function isArrayElementSafe(value: unknown): boolean {
  if (value === null || value === undefined) return true
  const type = typeof value
  if (type === 'string' || type === 'number' || type === 'bigint' || type === 'boolean') return true
  return value instanceof Date
}

function valueKey(value: unknown): string | undefined {
  // pg sends null and undefined alike.
  if (value === null || value === undefined) return 'null'
  switch (typeof value) {
    case 'string':
      return `s${value}`
    case 'number':
      return `n${String(value)}`
    case 'bigint':
      return `b${value.toString()}`
    case 'boolean':
      return value ? 'true' : 'false'
    default:
      return value instanceof Date ? `d${String(value.getTime())}` : undefined
  }
}

/**
 * A key equal for two parameter lists exactly when pg would send them identically (for the
 * value kinds it understands), or undefined when a value is of a kind not compared.
 *
 * @example
 * parameterKey([1, 'a']) === parameterKey([1, 'a']) // true
 * parameterKey([1]) === parameterKey(['1'])          // false: kept apart, conservatively
 */
export function parameterKey(params: readonly unknown[]): string | undefined {
  const parts: string[] = []
  for (const value of params) {
    const key = valueKey(value)
    if (key === undefined) return undefined
    parts.push(JSON.stringify(key))
  }
  return parts.join(',')
}
