import { DB_SYSTEM_POSTGRESQL } from '@sluice/contract'

/**
 * The span name the database semantic conventions ask for: `{operation} {target}`, else
 * `{target}`, else the operation, else the system name. E.g. `INSERT public.users`.
 */
export function statementSpanName(
  operation: string | undefined,
  collection: string | undefined,
): string {
  if (operation && collection) return `${operation} ${collection}`
  return collection ?? operation ?? DB_SYSTEM_POSTGRESQL
}
