import { normalizeSync } from 'libpg-query'

/*
 * `db.query.text` must never carry values. Parameters are sent apart from the text, but a query
 * may still spell values inline (`WHERE email = 'a@b.c'`), so the text goes through PostgreSQL's
 * own normalizer (libpg-query, the parser the optimizer uses), which turns every constant into a
 * `$n` placeholder and leaves parameterized text as it was.
 */

/**
 * Longest statement text recorded. Longer ones are merged statements whose shape the span name
 * and `db.operation.batch.size` already tell, and normalizing them would cost milliseconds.
 */
export const MAX_QUERY_TEXT_LENGTH = 8192

/** Distinct texts remembered: an application sends few shapes, over and over. */
const CACHE_SIZE = 512

const normalized = new Map<string, string>()

/**
 * The text safe to record, or `undefined` when it cannot be made safe cheaply: too long, not
 * valid SQL, or the parser not loaded yet (the pipeline loads it before its first batch).
 */
export function recordableQueryText(text: string): string | undefined {
  if (text.length > MAX_QUERY_TEXT_LENGTH) return undefined
  const known = normalized.get(text)
  if (known !== undefined) return known
  let safe: string
  try {
    safe = normalizeSync(text)
  } catch {
    return undefined
  }
  if (normalized.size >= CACHE_SIZE) {
    const oldest = normalized.keys().next()
    if (!oldest.done) normalized.delete(oldest.value)
  }
  normalized.set(text, safe)
  return safe
}
