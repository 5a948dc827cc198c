import { describe, expect, it } from 'vitest'
import { paramProblem, textProblem } from './paramChecks'

describe('parameter checks', () => {
  it('finds a lone surrogate wherever it is, and names where', () => {
    expect(paramProblem('a\uD800b', 'driver')).toMatch(
      /^the string contains a lone UTF-16 surrogate/,
    )
    expect(paramProblem(['ok', '\uDC00'], 'driver')).toMatch(/^the string at \[1\] contains a lone/)
    expect(paramProblem({ tags: { ['k\uD800']: 1 } }, 'driver')).toMatch(
      /^the object key "k\\ud800" at \.tags contains a lone/,
    )
    expect(paramProblem({ list: [{ v: '\uDBFF' }] }, 'json')).toMatch(
      /^the string at \.list\[0\]\.v contains/,
    )
    expect(paramProblem({ ['\u{1F600}']: '\u{1F600}' }, 'json')).toBeUndefined()
  })

  it('in JSON mode also refuses NUL bytes, inexact integers, deep nesting and non-JSON values', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL byte/)
    expect(textProblem('a\u0000b', true)).toBeUndefined()
    expect(paramProblem({ 'a\u0000': 1 }, 'json')).toMatch(
      /^the object key "a\\u0000" contains a NUL byte/,
    )
    expect(paramProblem({ 'a\u0000': 1 }, 'driver')).toBeUndefined()
    expect(paramProblem(Number('9007199254740993'), 'json')).toMatch(
      /^the integer 9007199254740992 is beyond ±9007199254740991/,
    )
    expect(paramProblem(Number('9007199254740993'), 'driver')).toBeUndefined()
    let deep: unknown = 1
    for (let level = 0; level < 10_000; level++) deep = [deep]
    expect(paramProblem(deep, 'json')).toMatch(/nested deeper than 32 levels/)
    expect(paramProblem(() => 1, 'json')).toMatch(/a function is not a JSON value/)
  })

  it('reports the first problem in reading order', () => {
    expect(paramProblem(['\uD800', { a: '\u0000' }], 'json')).toMatch(/^the string at \[0\]/)
    expect(paramProblem({ a: 'ok', b: '\u0000', c: '\uD800' }, 'json')).toMatch(
      /^the string at \.b/,
    )
  })

  it('does not look inside objects that serialize themselves when handing values to pg', () => {
    const custom = { toPostgres: () => 'x', text: '\uD800' }
    expect(paramProblem(custom, 'driver')).toBeUndefined()
    expect(paramProblem(Buffer.from('\uD800'), 'driver')).toBeUndefined()
  })
})
