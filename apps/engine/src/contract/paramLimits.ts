/** Deepest nesting of arrays and objects a parameter may have (a scalar is depth 0). */
export const maxParamDepth = 32

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Why PostgreSQL cannot take `text` as sent, or `undefined` when it can: a NUL byte (text and
 * jsonb refuse U+0000) or a lone UTF-16 surrogate (JSON lets "\ud800" through; it is not Unicode,
 * and would be stored as something else or refused).
 *
 * @example
 * textProblem('a\u0000b') // 'contains a NUL byte, …'
 * textProblem('héllo')    // undefined
 */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000'))
    return 'contains a NUL byte, which PostgreSQL text and jsonb cannot hold'
  if (loneSurrogate.test(text))
    return 'contains a lone UTF-16 surrogate (invalid Unicode), which PostgreSQL cannot store as sent'
  return undefined
}

const identifier = /^[A-Za-z_$][\w$]*$/

/* `.items[2]["a b"]`: where inside one parameter a problem is (empty for the parameter itself). */
const locationOf = (path: readonly (string | number)[]): string =>
  path
    .map((step) =>
      typeof step === 'number'
        ? `[${step}]`
        : identifier.test(step)
          ? `.${step}`
          : `[${JSON.stringify(step)}]`,
    )
    .join('')

const at = (path: readonly (string | number)[]): string =>
  path.length === 0 ? '' : ` at ${locationOf(path)}`

/*
 * Walks a parameter without recursion and stops at the depth limit, so a hostile 10,000-deep
 * value costs a few microseconds instead of overflowing the stack of a recursive validator.
 */
/**
 * Why a bind parameter cannot be taken as sent, or `undefined` when it can: nested deeper than
 * `maxParamDepth`, an integer beyond ±(2^53 − 1) (JSON numbers are doubles: 9007199254740993
 * arrives as 9007199254740992, so it must be sent as a string), a non-finite number, a value
 * JSON cannot express, or a string or object key PostgreSQL cannot hold (`textProblem`). The
 * message names where inside the parameter the problem is; keys are shown JSON-escaped.
 *
 * @example
 * paramProblem(9007199254740993)  // 'the integer 9007199254740992 is beyond ±9007199254740991 …'
 * paramProblem({ 'a\u0000': 1 })  // 'the object key "a\\u0000" contains a NUL byte, …'
 * paramProblem({ tags: ['x'] })    // undefined
 */
export function paramProblem(param: unknown): string | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: param, path: [] }]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path } = next
    if (value === null || typeof value === 'boolean') continue
    if (typeof value === 'string') {
      const problem = textProblem(value)
      if (problem !== undefined) return `the string${at(path)} ${problem}`
      continue
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return `the number ${String(value)}${at(path)} is out of range: send it as a string`
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        return (
          `the integer ${String(value)}${at(path)} is beyond ±${Number.MAX_SAFE_INTEGER}, the integers a JSON number ` +
          'holds exactly (digits may already be lost): send it as a string, e.g. "9007199254740993"'
        )
      }
      continue
    }
    if (typeof value !== 'object')
      return `a ${typeof value}${at(path)} is not a JSON value; send a string, number, boolean, null, array or object`
    if (path.length >= maxParamDepth) {
      return `the parameter is nested deeper than ${maxParamDepth} levels of arrays/objects; flatten it or send it as a JSON string`
    }
    if (Array.isArray(value)) {
      value.forEach((child: unknown, index) => stack.push({ value: child, path: [...path, index] }))
      continue
    }
    for (const [key, child] of Object.entries(value)) {
      // Keys are text too: jsonb refuses a NUL in a key just as in a value.
      const problem = textProblem(key)
      if (problem !== undefined)
        return `the object key ${JSON.stringify(key)}${at(path)} ${problem}`
      stack.push({ value: child, path: [...path, key] })
    }
  }
  return undefined
}
