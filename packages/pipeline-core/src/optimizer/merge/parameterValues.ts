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

/**
 * A key equal for two parameter lists exactly when pg would send them identically (for the
 * value kinds it understands), or undefined when a value is of a kind not compared. Each value
 * is tagged with its kind and strings carry their length, so no two lists share a key.
 *
 * @example
 * parameterKey([1, 'a']) === parameterKey([1, 'a']) // true
 * parameterKey([1]) === parameterKey(['1'])          // false: kept apart, conservatively
 */
export function parameterKey(params: readonly unknown[]): string | undefined {
  let key = ''
  for (const value of params) {
    // pg sends null and undefined alike.
    if (value === null || value === undefined) key += 'N;'
    else if (typeof value === 'string') key += `s${String(value.length)}:${value};`
    else if (typeof value === 'number') key += `n${String(value)};`
    else if (typeof value === 'bigint') key += `b${value.toString()};`
    else if (typeof value === 'boolean') key += value ? 'T;' : 'F;'
    else if (value instanceof Date) key += `d${String(value.getTime())};`
    else return undefined
  }
  return key
}

const NEEDS_ESCAPE = /["\\]/

/**
 * One column's values as the parameter of a `$n::type[]`: the array literal pg itself would
 * write for them (`{"a","b\\"c",NULL}`), built in one pass when every value is a string or
 * null (as values prepared at intake are), else the values for pg to serialize.
 *
 * @example
 * arrayParameter(['1', null, 'x"y']) // '{"1",NULL,"x\\"y"}'
 */
export function arrayParameter(values: readonly unknown[]): unknown {
  const parts = new Array<string>(values.length)
  for (let index = 0; index < values.length; index++) {
    const value = values[index]
    if (value === null || value === undefined) parts[index] = 'NULL'
    else if (typeof value !== 'string') return values
    else if (NEEDS_ESCAPE.test(value))
      parts[index] = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
    else parts[index] = `"${value}"`
  }
  return `{${parts.join(',')}}`
}
