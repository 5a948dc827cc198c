import type { SqlToken } from './parser'
import { scanLoaded } from './parser'

/*
 * Rewrites SQL text through PostgreSQL's own lexer: positions come from its tokens (byte offsets
 * into the UTF-8 text), so string literals, quoted identifiers and comments are never mistaken
 * for code. Used to build merged statements from a query's own text.
 */

/** The text's tokens and its UTF-8 bytes. */
export interface TokenizedSql {
  readonly bytes: Buffer
  /** Tokens without comments. */
  readonly tokens: readonly SqlToken[]
}

/** Lexes `sql` (parser must be loaded), dropping comment tokens. */
export function tokenize(sql: string): TokenizedSql {
  const tokens = scanLoaded(sql).filter(
    (token) => token.kind !== 'SQL_COMMENT' && token.kind !== 'C_COMMENT',
  )
  return { bytes: Buffer.from(sql, 'utf8'), tokens }
}

/** The text between two byte offsets. */
export function textBetween(sql: TokenizedSql, start: number, end: number): string {
  return sql.bytes.subarray(start, end).toString('utf8')
}

/** An edit: replace bytes [start, end) with `text`. */
export interface TextEdit {
  readonly start: number
  readonly end: number
  readonly text: string
}

/** The text of [start, end) with non-overlapping `edits` (inside that range) applied. */
export function editRange(
  sql: TokenizedSql,
  start: number,
  end: number,
  edits: readonly TextEdit[],
): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start)
  let out = ''
  let position = start
  for (const edit of sorted) {
    out += textBetween(sql, position, edit.start) + edit.text
    position = edit.end
  }
  return out + textBetween(sql, position, end)
}

/**
 * The statement's extent: from its first token to its last, leaving out a trailing `;` and
 * comments, so the text can be wrapped or extended safely.
 */
export function statementExtent(sql: TokenizedSql): { start: number; end: number } {
  let last = sql.tokens.length - 1
  while (last >= 0 && sql.tokens[last]?.text === ';') last--
  const first = sql.tokens[0]
  const lastToken = sql.tokens[last]
  return first && lastToken ? { start: first.start, end: lastToken.end } : { start: 0, end: 0 }
}

/** Edits replacing every `$n` token in [start, end) by `replace(n)`. */
export function paramEdits(
  sql: TokenizedSql,
  start: number,
  end: number,
  replace: (n: number) => string,
): TextEdit[] {
  return sql.tokens
    .filter((token) => token.kind === 'PARAM' && token.start >= start && token.end <= end)
    .map((token) => ({
      start: token.start,
      end: token.end,
      text: replace(Number(token.text.slice(1))),
    }))
}

/** Index of the token closing the parenthesis opened at `open` (a `(` token index). */
export function matchingParen(sql: TokenizedSql, open: number): number | undefined {
  let depth = 0
  for (let index = open; index < sql.tokens.length; index++) {
    const text = sql.tokens[index]?.text
    if (text === '(' || text === '[') depth++
    else if (text === ')' || text === ']') depth--
    if (depth === 0) return index
  }
  return undefined
}

/**
 * Index of the first token at parenthesis depth 0, at or after byte `from`, that is the keyword
 * `keyword` (an unquoted word; quoted identifiers keep their quotes in the token text) and, when
 * `followedBy` is given, is immediately followed by that token text.
 */
export function findTopLevelKeyword(
  sql: TokenizedSql,
  keyword: string,
  from: number,
  followedBy?: string,
): number | undefined {
  let depth = 0
  for (let index = 0; index < sql.tokens.length; index++) {
    const token = sql.tokens[index]
    if (!token) break
    if (token.text === '(' || token.text === '[') depth++
    else if (token.text === ')' || token.text === ']') depth--
    else if (
      depth === 0 &&
      token.start >= from &&
      token.text.toUpperCase() === keyword &&
      (followedBy === undefined || sql.tokens[index + 1]?.text === followedBy)
    ) {
      return index
    }
  }
  return undefined
}

/** `"name"` with embedded quotes doubled: always quoted, so case and keywords survive. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
