import { MAX_PARAMETERS } from '../config/resolvedSettings'
import { PipelineError } from '../errors'
import { prepareValues } from '../execution/pipelinedConnection'
import type { Classification } from '../optimizer'
import { pipelineRefusal } from './refusedStatements'

/** A query that passed validation. */
export interface ValidQuery {
  readonly sql: string
  /**
   * The values as pg will send them (null, a string, or a Buffer copy), prepared and frozen at
   * intake: a caller reusing or changing its array or objects afterwards changes nothing here.
   */
  readonly params: readonly unknown[]
  /** A frozen shallow copy of the caller's values, handed back to `result` listeners. */
  readonly submittedParams: readonly unknown[]
  readonly callbackId?: string
}

/**
 * Checks what can be checked without the parser: sql a non-empty string, params an array of
 * values pg can send (at most 65535), callbackId a string. `label` names the query in messages
 * (`sql`, or `queries[3].sql` for a group). Throws PipelineError.
 */
export function validateQueryShape(
  sql: unknown,
  params: unknown,
  callbackId: unknown,
  label = '',
): ValidQuery {
  const prefix = label === '' ? '' : `${label}.`
  if (typeof sql !== 'string') {
    throw new PipelineError('INVALID_QUERY', `${prefix}sql must be a string, got ${describe(sql)}`)
  }
  if (sql.trim() === '') throw new PipelineError('INVALID_QUERY', `${prefix}sql must not be empty`)
  if (params !== undefined && !Array.isArray(params)) {
    throw new PipelineError(
      'INVALID_QUERY',
      `${prefix}params must be an array, got ${describe(params)}`,
    )
  }
  const values: readonly unknown[] = params ?? []
  if (values.length > MAX_PARAMETERS) {
    throw new PipelineError(
      'TOO_MANY_PARAMETERS',
      `${prefix}params has ${values.length} values; PostgreSQL allows at most ${MAX_PARAMETERS} per statement`,
    )
  }
  let prepared: unknown[]
  try {
    prepared = prepareValues(values)
  } catch (error) {
    throw new PipelineError('INVALID_QUERY', `${prefix}${(error as Error).message}`)
  }
  values.forEach((value, index) => {
    let where: string | undefined
    try {
      where = loneSurrogateAt(value, '')
    } catch (error) {
      throw new PipelineError(
        'INVALID_QUERY',
        `${prefix}params[${index}] cannot be checked: ${(error as Error).message}`,
      )
    }
    if (where !== undefined) {
      // pg would send it as U+FFFD (or, inside JSON, an escape jsonb refuses): not what was given.
      throw new PipelineError(
        'INVALID_QUERY',
        `${prefix}params[${index}]${where} contains a lone UTF-16 surrogate (invalid Unicode), which PostgreSQL cannot receive as given`,
      )
    }
  })
  if (callbackId !== undefined && typeof callbackId !== 'string') {
    throw new PipelineError(
      'INVALID_QUERY',
      `${prefix}callbackId must be a string, got ${describe(callbackId)}`,
    )
  }
  const query = {
    sql,
    params: Object.freeze(prepared),
    submittedParams: Object.freeze([...values]),
  }
  return callbackId === undefined ? query : { ...query, callbackId }
}

/**
 * Checks what the parser knows: exactly one statement, nothing a pipeline must refuse
 * (see refusedStatements.ts), and as many params as it uses. A text
 * the parser rejects is let through: PostgreSQL then reports the syntax error (42601) as the
 * query's own failure.
 */
export function validateQueryStatement(
  query: ValidQuery,
  classification: Classification | undefined,
  label = '',
): void {
  if (!classification || classification.syntaxError) return
  const prefix = label === '' ? '' : `${label}.`
  if (classification.statementCount > 1) {
    throw new PipelineError(
      'INVALID_QUERY',
      `${prefix}sql holds ${classification.statementCount} statements; send one statement per query: ${excerpt(query.sql)}`,
    )
  }
  if (classification.statementCount === 0) {
    throw new PipelineError(
      'INVALID_QUERY',
      `${prefix}sql holds no statement (only comments or whitespace)`,
    )
  }
  const refusal = pipelineRefusal(query.sql)
  if (refusal !== undefined) {
    throw new PipelineError(
      'INVALID_QUERY',
      `${prefix}sql is refused: ${refusal}: ${excerpt(query.sql)}`,
    )
  }
  if (classification.paramCount !== query.params.length) {
    throw new PipelineError(
      'INVALID_QUERY',
      `${prefix}params has ${query.params.length} values but the sql uses ${classification.paramCount} ($1..$${classification.paramCount}): ${excerpt(query.sql)}`,
    )
  }
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Where inside `value` a string, array element or plain-object key or value holds a lone
 * surrogate (`''` for the value itself, `.tags[2]`, `["a\ud800"]` for a key), else undefined.
 * Values were prepared first, so there is no cycle.
 */
function loneSurrogateAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = loneSurrogateAt(item, `${path}[${String(index)}]`)
      if (found !== undefined) return found
    }
    return undefined
  }
  // Only plain objects: others (Dates, Buffers, toPostgres/toJSON) serialize their own way.
  if (typeof value !== 'object' || value === null || 'toPostgres' in value || 'toJSON' in value)
    return undefined
  const prototype: unknown = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return undefined
  for (const [key, item] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) return `${path} (the object key ${JSON.stringify(key)})`
    const found = loneSurrogateAt(item, `${path}.${key}`)
    if (found !== undefined) return found
  }
  return undefined
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

function excerpt(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim()
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat
}
