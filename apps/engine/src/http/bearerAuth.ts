import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Checks `Authorization: Bearer <token>` against the configured token in constant time (both sides
 * are hashed first, so neither the length nor the content leaks through timing). With no token
 * configured every request passes.
 *
 * @example
 * const authorized = bearerAuth(process.env.SLUICE_API_TOKEN)
 * authorized(request.headers.authorization) // true or false
 */
export function bearerAuth(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true
  const expected = createHash('sha256').update(token).digest()
  return (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
    const given = createHash('sha256')
      .update(match?.[1] ?? '')
      .digest()
    return timingSafeEqual(given, expected) && match !== null
  }
}
