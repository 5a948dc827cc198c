import { createHash, timingSafeEqual } from 'node:crypto'
import type { Role } from '@sluice/contract'

/** A bearer token the engine accepts, under the name the audit log records its calls as. */
export interface ApiToken {
  readonly name: string
  readonly token: string
  readonly role: Role
}

/** The name `SLUICE_API_TOKEN` (the one unnamed token) is audited under. */
export const DEFAULT_TOKEN_NAME = 'default'

/** What a request's `Authorization` header proved: a token, nothing (no header), or a wrong one. */
export type BearerCheck = ApiToken | 'none' | 'wrong'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * Checks `Authorization: Bearer <token>` against the configured tokens in constant time (every
 * side is hashed first, so neither a length nor a content leaks through timing, and every token
 * is compared, so neither does which one matched).
 *
 * @example
 * const check = bearerTokens([{ name: 'deploy', token: process.env.DEPLOY_TOKEN, role: 'admin' }])
 * check(request.headers.authorization) // the ApiToken, 'none' or 'wrong'
 */
export function bearerTokens(
  tokens: readonly ApiToken[],
): (header: string | undefined) => BearerCheck {
  const expected = tokens.map((token) => ({ token, hash: digest(token.token) }))
  return (header) => {
    if (header === undefined || header === '') return 'none'
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    const given = digest(match?.[1] ?? '')
    let found: ApiToken | undefined
    for (const candidate of expected) {
      if (timingSafeEqual(given, candidate.hash) && match !== null) found = candidate.token
    }
    return found ?? 'wrong'
  }
}
