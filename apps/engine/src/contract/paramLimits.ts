/** Deepest nesting of arrays and objects a parameter may have (a scalar is depth 0). */
export const maxParamDepth = 32

/*
 * Walks a parameter without recursion and stops at the depth limit, so a hostile 10,000-deep
 * value costs a few microseconds instead of overflowing the stack of a recursive validator.
 */
/**
 * Why a bind parameter cannot be taken as sent, or `undefined` when it can: nested deeper than
 * `maxParamDepth`, an integer beyond ±(2^53 − 1) (JSON numbers are doubles: 9007199254740993
 * arrives as 9007199254740992, so it must be sent as a string), a non-finite number, or a value
 * JSON cannot express.
 *
 * @example
 * paramProblem(9007199254740993) // 'the integer 9007199254740992 is beyond ±9007199254740991 …'
 * paramProblem({ tags: ['x'] })   // undefined
 */
export function paramProblem(param: unknown): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: param, depth: 0 }]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth } = next
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return `the number ${String(value)} is out of range: send it as a string`
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        return (
          `the integer ${String(value)} is beyond ±${Number.MAX_SAFE_INTEGER}, the integers a JSON number ` +
          'holds exactly (digits may already be lost): send it as a string, e.g. "9007199254740993"'
        )
      }
      continue
    }
    if (typeof value !== 'object')
      return `a ${typeof value} is not a JSON value; send a string, number, boolean, null, array or object`
    if (depth >= maxParamDepth) {
      return `the parameter is nested deeper than ${maxParamDepth} levels of arrays/objects; flatten it or send it as a JSON string`
    }
    const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value)
    for (const child of children) stack.push({ value: child, depth: depth + 1 })
  }
  return undefined
}
