import type { IsolationLevel } from '@sluice/contract'

/**
 * The mode of a `transactional` group's transaction: `BEGIN ISOLATION LEVEL ... READ ONLY
 * DEFERRABLE`. Unset fields take the server's defaults.
 *
 * @example
 * await pipeline.addGroup(queries, { transaction: { isolation: 'serializable', readOnly: true, deferrable: true } })
 */
export interface TransactionMode {
  readonly isolation?: IsolationLevel
  readonly readOnly?: boolean
  readonly deferrable?: boolean
}

/** The BEGIN that opens a transaction in `mode`. */
export function beginText(mode: TransactionMode): string {
  const parts = ['BEGIN']
  if (mode.isolation !== undefined) parts.push(`ISOLATION LEVEL ${mode.isolation.toUpperCase()}`)
  if (mode.readOnly !== undefined) parts.push(mode.readOnly ? 'READ ONLY' : 'READ WRITE')
  if (mode.deferrable !== undefined) parts.push(mode.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE')
  return parts.join(' ')
}
