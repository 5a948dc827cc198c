import type { FailureFilter } from '@sluice/contract'

/** A WHERE clause and its parameters, built from a failure filter. */
export interface FilterSql {
  readonly where: string
  readonly params: unknown[]
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (char) => `\\${char}`)

const toDate = (value: string | number): Date => new Date(value)

/**
 * Turns a failure filter into a parameterized WHERE clause over `sluice.failed_queries`.
 * `text` matches the SQL or the error message, `params` the parameters' JSON text, both
 * case-insensitively, as plain text (no wildcards): ILIKE, which the trigram indexes answer
 * (see ensureSearchIndexes). `callbackId` matches exactly.
 *
 * @example
 * failureFilterSql({ status: 'failed', sqlstate: '23505' })
 * // { where: 'status = $1 AND sqlstate = $2', params: ['failed', '23505'] }
 */
export function failureFilterSql(filter: FailureFilter, firstParam = 1): FilterSql {
  const conditions: string[] = []
  const params: unknown[] = []
  const param = (value: unknown): string => {
    params.push(value)
    return `$${firstParam + params.length - 1}`
  }
  if (filter.status !== 'any') conditions.push(`status = ${param(filter.status)}`)
  if (filter.pipeline !== undefined) conditions.push(`pipeline = ${param(filter.pipeline)}`)
  if (filter.sqlstate !== undefined) conditions.push(`sqlstate = ${param(filter.sqlstate)}`)
  if (filter.text !== undefined && filter.text.trim() !== '') {
    const pattern = param(`%${escapeLike(filter.text.trim())}%`)
    conditions.push(`(sql ILIKE ${pattern} OR error_message ILIKE ${pattern})`)
  }
  if (filter.params !== undefined && filter.params.trim() !== '') {
    conditions.push(`params::text ILIKE ${param(`%${escapeLike(filter.params.trim())}%`)}`)
  }
  if (filter.callbackId !== undefined && filter.callbackId !== '') {
    conditions.push(`callback_id = ${param(filter.callbackId)}`)
  }
  if (filter.fingerprint !== undefined)
    conditions.push(`fingerprint = ${param(filter.fingerprint)}`)
  if (filter.errorCode !== undefined)
    conditions.push(`coalesce(error_code, '') = ${param(filter.errorCode)}`)
  if (filter.from !== undefined) conditions.push(`last_failed_at >= ${param(toDate(filter.from))}`)
  if (filter.to !== undefined) conditions.push(`last_failed_at < ${param(toDate(filter.to))}`)
  return { where: conditions.length > 0 ? conditions.join(' AND ') : 'true', params }
}
