import type { QueryError } from '../types'

/*
 * Errors worth running again: the statement did not take effect and a later attempt may succeed.
 * Class 08 (connection exception, but not 08P01), 40001 serialization failure, 40P01 deadlock, 57P01-57P03
 * (server shutting down / terminated the backend / not accepting connections yet), 53300 too many
 * connections, 53400 configuration limit exceeded, and our own CONNECTION_LOST for a statement
 * that provably never ran. A lost answer with an unknown outcome is never transient.
 */
const TRANSIENT_SQLSTATES = new Set([
  '40001',
  '40P01',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
  // Class 08 except 08P01 (protocol violation: a wrong parameter count, say, fails every time).
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
])

/** Whether a failed statement may be run again safely. */
export function isTransientError(error: QueryError): boolean {
  if (error.outcomeUnknown === true) return false
  const code = error.code
  if (code === undefined) return false
  if (code === 'CONNECTION_LOST') return true
  return TRANSIENT_SQLSTATES.has(code)
}
