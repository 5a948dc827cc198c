import { MAX_PARAM_DEPTH } from './limits'

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const loneSurrogates = new RegExp(loneSurrogate.source, 'g')

const LONE_SURROGATE_PROBLEM =
  'contains a lone UTF-16 surrogate (invalid Unicode), which PostgreSQL cannot receive as sent'

/**
 * Why PostgreSQL cannot take `text` as sent, or `undefined` when it can: a lone UTF-16 surrogate
 * (JSON lets "\ud800" through; pg would send U+FFFD instead) or, unless `allowNul`, a NUL byte
 * (text and jsonb refuse U+0000).
 *
 * @example
 * textProblem('a\u0000b') // 'contains a NUL byte, …'
 * textProblem('héllo')    // undefined
 */
export function textProblem(text: string, allowNul = false): string | undefined {
  if (!allowNul && text.includes('\u0000'))
    return 'contains a NUL byte, which PostgreSQL text and jsonb cannot hold'
  if (loneSurrogate.test(text)) return LONE_SURROGATE_PROBLEM
  return undefined
}

/**
 * `text` with what PostgreSQL text cannot hold (NUL bytes, lone surrogates) replaced by U+FFFD,
 * visibly: for showing or storing text that `textProblem` refused.
 *
 * @example
 * withoutUnstorableText('a\u0000b') // 'a\uFFFDb'
 */
export function withoutUnstorableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(loneSurrogates, '\uFFFD')
}

/**
 * How strictly `paramProblem` looks:
 * - `json` (a value that came as JSON, e.g. over HTTP): every string and key is checked for NUL
 *   bytes and lone surrogates, integers must be exact (within ±(2^53 − 1)), nesting at most
 *   `MAX_PARAM_DEPTH`, and only JSON types are allowed.
 * - `driver` (a value handed to pg in-process): lone surrogates in strings, array elements and
 *   plain-object keys and values; other objects (Dates, Buffers, `toPostgres`) serialize their
 *   own way and are not looked into; a NUL is left for PostgreSQL to refuse as the query's error.
 */
export type ParamCheckMode = 'json' | 'driver'

const identifier = /^[A-Za-z_$][\w$]*$/

/* `.items[2]["a b"]`: where inside one parameter a problem is (empty for the parameter itself). */
function locationOf(path: readonly (string | number)[]): string {
  return path
    .map((step) =>
      typeof step === 'number'
        ? `[${String(step)}]`
        : identifier.test(step)
          ? `.${step}`
          : `[${JSON.stringify(step)}]`,
    )
    .join('')
}

const at = (path: readonly (string | number)[]): string =>
  path.length === 0 ? '' : ` at ${locationOf(path)}`

function isPlainObject(value: object): boolean {
  if ('toPostgres' in value || 'toJSON' in value) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/*
 * Walks without recursion and stops at the depth limit, so a hostile 10,000-deep value costs a
 * few microseconds instead of overflowing the stack of a recursive validator.
 */
/**
 * Why one bind parameter cannot be sent as it is, or `undefined` when it can. The message names
 * where inside the parameter the problem is; keys are shown JSON-escaped.
 *
 * @example
 * paramProblem({ tags: ['\ud800'] }, 'json') // 'the string at .tags[0] contains a lone UTF-16 surrogate …'
 * paramProblem(9007199254740993, 'json')     // 'the integer 9007199254740992 is beyond ±9007199254740991 …'
 * paramProblem({ tags: ['x'] }, 'json')       // undefined
 */
export function paramProblem(param: unknown, mode: ParamCheckMode): string | undefined {
  const json = mode === 'json'
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: param, path: [] }]
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, path } = next
    if (value === null || typeof value === 'boolean') continue
    if (typeof value === 'string') {
      const problem = textProblem(value, !json)
      if (problem !== undefined) return `the string${at(path)} ${problem}`
      continue
    }
    if (!json) {
      if (typeof value !== 'object' || (!Array.isArray(value) && !isPlainObject(value))) continue
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return `the number ${String(value)}${at(path)} is out of range: send it as a string`
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        return (
          `the integer ${String(value)}${at(path)} is beyond ±${String(Number.MAX_SAFE_INTEGER)}, the integers a JSON number ` +
          'holds exactly (digits may already be lost): send it as a string, e.g. "9007199254740993"'
        )
      }
      continue
    } else if (typeof value !== 'object') {
      return `a ${typeof value}${at(path)} is not a JSON value; send a string, number, boolean, null, array or object`
    } else if (path.length >= MAX_PARAM_DEPTH) {
      return `the parameter is nested deeper than ${String(MAX_PARAM_DEPTH)} levels of arrays/objects; flatten it or send it as a JSON string`
    }
    if (Array.isArray(value)) {
      // Pushed last first, so the first problem in reading order is the one reported.
      for (let index = value.length - 1; index >= 0; index--)
        stack.push({ value: value[index] as unknown, path: [...path, index] })
      continue
    }
    const entries = Object.entries(value)
    for (const [key] of entries) {
      // Keys are text too: jsonb refuses a NUL in a key just as in a value.
      const problem = textProblem(key, !json)
      if (problem !== undefined)
        return `the object key ${JSON.stringify(key)}${at(path)} ${problem}`
    }
    for (let index = entries.length - 1; index >= 0; index--) {
      const entry = entries[index]
      if (entry) stack.push({ value: entry[1] as unknown, path: [...path, entry[0]] })
    }
  }
  return undefined
}
