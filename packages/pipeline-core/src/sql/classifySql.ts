import { asArray } from './ast'
import type { Classification } from './classification'
import { TwoGenerationCache } from './twoGenerationCache'
import { mergeShape } from './mergeShapes'
import { loadParser, parseLoaded, parserLoaded, statementShape } from './parser'
import { statementRefusal } from './refusedStatements'
import { statementEffects } from './statementEffects'
import { walk } from './ast'

/** Distinct SQL texts remembered; applications rarely send more than a few hundred. */
const CACHE_SIZE = 2_000
const cache = new TwoGenerationCache<string, Classification>(CACHE_SIZE)

function highestParam(tree: unknown): number {
  let highest = 0
  walk(tree, (type, inner) => {
    if (type === 'ParamRef' && typeof inner.number === 'number')
      highest = Math.max(highest, inner.number)
    return true
  })
  return highest
}

/**
 * Classifies SQL once parsing is loaded; synchronous so the planner can classify a whole batch
 * without awaiting per query. Prefer `classifySql` unless the parser is known to be loaded.
 */
export function classifyLoaded(sql: string): Classification {
  const cached = cache.get(sql)
  if (cached) return cached
  const classification = computeClassification(sql)
  cache.set(sql, classification)
  return classification
}

/**
 * The classification of `sql` when the parser is loaded, else `undefined`; `undefined` too for a
 * text the classifier cannot handle (PostgreSQL then judges it when it runs).
 */
export function classifyIfLoaded(sql: string): Classification | undefined {
  if (!parserLoaded()) return undefined
  try {
    return classifyLoaded(sql)
  } catch {
    return undefined
  }
}

function computeClassification(sql: string): Classification {
  const parsed = parseLoaded(sql)
  if ('error' in parsed) {
    return {
      sql,
      ...statementShape(sql, false),
      statementCount: 0,
      syntaxError: parsed.error,
      readOnly: false,
      reads: [],
      writes: [],
      // PostgreSQL parses with the same grammar: a text that does not parse does nothing.
      writesUnknown: false,
      mayChangeCatalog: false,
      transactionSafe: false,
      paramCount: 0,
    }
  }
  const stmts = asArray(parsed.tree.stmts).map((raw) => (raw as { stmt?: unknown }).stmt)
  const effects = stmts.map(statementEffects)
  const first = effects[0]
  const only = stmts.length === 1 ? stmts[0] : undefined
  const readOnly = effects.length > 0 && effects.every((effect) => effect.readOnly)
  // Several statements in one text are never merged: only a single statement gets a shape.
  const shape = only === undefined ? undefined : mergeShape(only, readOnly)
  let refusal: string | undefined
  for (const stmt of stmts) refusal ??= statementRefusal(stmt)
  return {
    sql,
    ...statementShape(sql, true),
    statementCount: stmts.length,
    readOnly,
    reads: [...new Set(effects.flatMap((effect) => effect.reads))].sort(),
    writes: [...new Set(effects.flatMap((effect) => effect.writes))].sort(),
    writesUnknown: effects.some((effect) => effect.writesUnknown),
    mayChangeCatalog: effects.some((effect) => effect.mayChangeCatalog),
    ...(first ? { operation: first.operation } : {}),
    ...(first?.collection !== undefined ? { collection: first.collection } : {}),
    transactionSafe: effects.every((effect) => effect.transactionSafe),
    paramCount: highestParam(parsed.tree),
    ...(shape ? { shape } : {}),
    ...(refusal !== undefined ? { refusal } : {}),
  }
}

/**
 * Classifies a SQL text with PostgreSQL's own parser (libpg-query): statement count, syntax
 * error, read-only or not, tables read and written, operation and main table for spans, whether
 * it may share a transaction, and the shape merging needs. Cached by text (two-generation cache).
 *
 * @example
 * const c = await classifySql('WITH d AS (DELETE FROM jobs RETURNING *) SELECT * FROM d')
 * c.readOnly // false: a data-modifying CTE
 * c.writes   // ['jobs']
 */
export async function classifySql(sql: string): Promise<Classification> {
  await loadParser()
  return classifyLoaded(sql)
}

/**
 * A text's statement shape: its fingerprint and normalized text (constants as `$n`), from the
 * cached classification; `undefined` until the parser is loaded.
 *
 * @example
 * statementShapeOf('SELECT * FROM t WHERE id = 5')?.normalized // 'SELECT * FROM t WHERE id = $1'
 */
export function statementShapeOf(
  sql: string,
): { readonly fingerprint: string; readonly normalized: string } | undefined {
  const classification = classifyIfLoaded(sql)
  return classification
    ? { fingerprint: classification.fingerprint, normalized: classification.normalized }
    : undefined
}
