import type { ParseResult } from 'libpg-query'
import { createHash } from 'node:crypto'
import {
  fingerprintSync,
  hasSqlDetails,
  loadModule,
  normalizeSync,
  parseSync,
  scanSync,
} from 'libpg-query'
import type { SyntaxErrorInfo } from './classification'

let loading: Promise<void> | undefined
let loaded = false

/**
 * Loads the PostgreSQL parser (a WebAssembly module) once per process; later calls return the
 * same promise. Every `*Sync` call below requires it to have resolved.
 */
export function loadParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true
  })
  return loading
}

/** Whether `loadParser()` has resolved, so the synchronous calls below may be made. */
export function parserLoaded(): boolean {
  return loaded
}

/** A parse tree, or why there is none. */
export type ParseOutcome = { readonly tree: ParseResult } | { readonly error: SyntaxErrorInfo }

/** Parses `sql` with PostgreSQL's own grammar. Call after `loadParser()` resolved. */
export function parseLoaded(sql: string): ParseOutcome {
  try {
    return { tree: parseSync(sql) }
  } catch (error) {
    if (hasSqlDetails(error)) {
      const position = error.sqlDetails?.cursorPosition
      return {
        error: {
          message: error.message,
          // libpg-query counts from 0; PostgreSQL reports positions from 1.
          ...(position !== undefined && position >= 0 ? { position: position + 1 } : {}),
        },
      }
    }
    return { error: { message: error instanceof Error ? error.message : String(error) } }
  }
}

/** A lexical token with its byte range in the UTF-8 text. */
export interface SqlToken {
  readonly start: number
  readonly end: number
  readonly text: string
  /** The scanner's name, e.g. `PARAM`, `IDENT`, `ASCII_40` for `(`; keywords are `UNKNOWN`. */
  readonly kind: string
}

/** PostgreSQL's lexer over `sql`. Call after `loadParser()` resolved. */
export function scanLoaded(sql: string): SqlToken[] {
  return scanSync(sql).tokens.map((token) => ({
    start: token.start,
    end: token.end,
    text: token.text,
    kind: token.tokenName,
  }))
}

/**
 * A text's fingerprint and normalized form (constants as `$n`). `parses`: whether `parseLoaded`
 * gave a tree; a text that does not parse is identified by a hash of itself. Call after
 * `loadParser()` resolved.
 */
export function statementShape(
  sql: string,
  parses: boolean,
): { readonly fingerprint: string; readonly normalized: string } {
  if (parses) {
    try {
      return { fingerprint: fingerprintSync(sql), normalized: normalizeSync(sql) }
    } catch {
      // Parsed but not fingerprinted (never seen): fall back to the text's own hash.
    }
  }
  return {
    fingerprint: createHash('sha256').update(sql).digest('hex').slice(0, 16),
    normalized: sql,
  }
}
