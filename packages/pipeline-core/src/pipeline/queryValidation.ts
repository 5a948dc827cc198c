import { MAX_PARAMETERS, paramProblem } from '@sluice/contract'
import { PipelineError } from '../errors'
import { prepareValues } from '../execution/pipelinedConnection'
import type { Classification } from '../sql/classification'
import { classifyIfLoaded } from '../sql/classifySql'

/** A query that passed validation. */
export interface ValidQuery {
  readonly sql: string
  /**
   * What PostgreSQL's parser says about `sql`, made once here and carried to the planner and the
   * executor; `undefined` while the parser is still loading (the intake fills it in then) or for
   * a text it cannot classify.
   */
  readonly classification: Classification | undefined
  /**
   * The values as pg will send them (null, a string, or a Buffer copy), prepared and frozen at
   * intake: a caller reusing or changing its array or objects afterwards changes nothing here.
   */
  readonly params: readonly unknown[]
  /** A frozen shallow copy of the caller's values, handed back to `result` listeners. */
  readonly submittedParams: readonly unknown[]
  readonly callbackId: string | undefined
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
    let problem: string | undefined
    try {
      problem = paramProblem(value, 'driver')
    } catch (error) {
      throw new PipelineError(
        'INVALID_QUERY',
        `${prefix}params[${index}] cannot be checked: ${(error as Error).message}`,
      )
    }
    // pg would send a lone surrogate as U+FFFD (or, inside JSON, an escape jsonb refuses).
    if (problem !== undefined)
      throw new PipelineError('INVALID_QUERY', `${prefix}params[${index}]: ${problem}`)
  })
  if (callbackId !== undefined && typeof callbackId !== 'string') {
    throw new PipelineError(
      'INVALID_QUERY',
      `${prefix}callbackId must be a string, got ${describe(callbackId)}`,
    )
  }
  return {
    sql,
    classification: classifyIfLoaded(sql),
    params: Object.freeze(prepared),
    submittedParams: Object.freeze([...values]),
    callbackId,
  }
}

/**
 * Checks what the parser knows: exactly one statement, nothing a pipeline must refuse (session
 * state on a shared connection...), and as many params as it uses. A text the parser rejects is
 * let through: PostgreSQL then reports the syntax error (42601) as the query's own failure.
 */
export function validateQueryStatement(query: ValidQuery, label = ''): void {
  const classification = query.classification
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
  const refusal = classification.refusal
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

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

function excerpt(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim()
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat
}
