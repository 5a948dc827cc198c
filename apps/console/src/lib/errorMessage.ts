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
