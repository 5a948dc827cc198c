import type { IncomingHttpHeaders } from 'node:http'
import { EngineError } from '../errors'
import { bearerTokens, type ApiToken } from './apiTokens'
import type { Caller } from './caller'
import type { SessionStore } from './sessionStore'
import type { SignInPolicy } from './signInPolicy'

/*
 * The console's server calls the engine on behalf of a browser with these headers: the session
 * id from the browser's HttpOnly cookie (empty when it has none), the browser's address, and the
 * name the browser opened the console under. Their presence marks a console call.
 */
export const SESSION_HEADER = 'x-sluice-session'
export const CLIENT_ADDRESS_HEADER = 'x-sluice-client-address'
export const BROWSER_HOST_HEADER = 'x-sluice-browser-host'

const one = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value

const wrongToken = 'missing or wrong bearer token (Authorization: Bearer <SLUICE_API_TOKEN>)'

/**
 * Resolves who a request is from. The engine is the one authority: the console only forwards the
 * browser's session id, the engine looks the session and its role up.
 *
 * - A wrong bearer token, or none while tokens are configured: UNAUTHORIZED (thrown).
 * - A console call with a live session: that user, with the session's role.
 * - A console call without one: `anonymous` where sign-in is required, else the console's token
 *   (or `local`, with no tokens).
 * - A direct call: its token; with no tokens configured, `local` while sign-in is off, else
 *   `anonymous`.
 *
 * @example
 * const caller = await resolver.resolve(request.headers, request.socket.remoteAddress)
 */
export class CallerResolver {
  readonly #check: ReturnType<typeof bearerTokens>
  readonly #tokensConfigured: boolean
  readonly #sessions: SessionStore
  readonly #policy: SignInPolicy

  constructor(tokens: readonly ApiToken[], sessions: SessionStore, policy: SignInPolicy) {
    this.#check = bearerTokens(tokens)
    this.#tokensConfigured = tokens.length > 0
    this.#sessions = sessions
    this.#policy = policy
  }

  /** Whether an API token guards the engine (then it may listen beyond loopback). */
  get tokensConfigured(): boolean {
    return this.#tokensConfigured
  }

  async resolve(headers: IncomingHttpHeaders, socketAddress: string | undefined): Promise<Caller> {
    const bearer = this.#check(headers.authorization)
    if (bearer === 'wrong' || (bearer === 'none' && this.#tokensConfigured)) {
      throw new EngineError('UNAUTHORIZED', wrongToken)
    }
    const token: ApiToken | undefined = bearer === 'none' ? undefined : bearer
    // Only a caller the engine trusts (its token, or loopback with none configured) may say
    // which browser it acts for.
    const forwarded = one(headers[CLIENT_ADDRESS_HEADER])
    const address =
      (forwarded !== undefined && forwarded !== '' ? forwarded : undefined) ??
      normalizeAddress(socketAddress)
    const sessionId = one(headers[SESSION_HEADER])
    const console = sessionId !== undefined
    if (sessionId !== undefined && sessionId !== '') {
      const session = await this.#sessions.resolve(sessionId)
      if (session) {
        return {
          kind: 'user',
          name: session.user,
          role: session.role,
          method: session.method,
          sessionHash: session.idHash,
          address,
        }
      }
    }
    // A token's own call needs no look-up: ingest, the common case, stays free of it.
    if (!console && token) return { kind: 'token', name: token.name, role: token.role, address }
    const status = await this.#policy.status(
      console ? one(headers[BROWSER_HOST_HEADER]) : undefined,
    )
    if (console && status.required) {
      return {
        kind: 'anonymous',
        name: 'anonymous',
        role: null,
        address,
        reason: sessionId
          ? 'your session has expired or ended: sign in again'
          : `sign in first (${status.reason})`,
      }
    }
    if (token) return { kind: 'token', name: token.name, role: token.role, address }
    if (status.required) {
      return {
        kind: 'anonymous',
        name: 'anonymous',
        role: null,
        address,
        reason: `${status.reason}: send a bearer token (SLUICE_API_TOKEN or SLUICE_API_TOKENS), or sign in through the console`,
      }
    }
    return { kind: 'local', name: 'local', role: 'admin', address }
  }
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
function normalizeAddress(address: string | undefined): string | null {
  if (address === undefined) return null
  return address.startsWith('::ffff:') ? address.slice(7) : address
}
