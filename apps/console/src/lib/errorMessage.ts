/**
 * A readable message for anything a tRPC call or a mutation threw.
 *
 * @example
 * errorMessage(new Error('pipeline "orders" already exists')) // 'pipeline "orders" already exists'
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  return 'Something went wrong.'
}

/** True when the error says the engine could not be reached (the console's proxy answered 502). */
export function isEngineUnreachable(error: unknown): boolean {
  if (!(error instanceof Error) || !('data' in error)) return false
  const data = (error as { data?: { code?: unknown } | null }).data
  return data?.code === 'BAD_GATEWAY'
}
