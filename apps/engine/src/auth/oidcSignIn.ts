import type pg from 'pg'
import * as client from 'openid-client'
import { ROLES, type Role } from '@sluice/contract'
import { isLoopbackHost } from '@sluice/request-origin'
import { EngineError } from '../errors'
import type { OidcSettings } from './authEnv'

/** How long a sign-in at the provider may take, from the redirect to the callback. */
const loginMinutes = 10

/** Who the provider says signed in, and the role its claim gives them. */
export interface OidcIdentity {
  readonly name: string
  readonly subject: string
  readonly role: Role
}

/** A sign-in the provider refused, or a user without a Sluice role: audited as a failed sign-in. */
export class OidcRefusal extends EngineError {
  readonly userName: string | undefined

  constructor(message: string, userName?: string) {
    super('UNAUTHORIZED', message)
    this.userName = userName
  }
}

/**
 * The strongest Sluice role named in a claim's value (a string, space- or comma-separated, or an
 * array of strings), or undefined.
 */
export function roleFromClaim(value: unknown): Role | undefined {
  const names = (
    Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : []
  )
    .filter((item): item is string => typeof item === 'string')
    .map((item) => item.toLowerCase())
  return [...ROLES].reverse().find((role) => names.includes(role))
}

/**
 * OpenID Connect sign-in (authorization code flow with PKCE, state and nonce) through
 * openid-client. The engine holds the client secret and does the code exchange itself; the
 * console only passes the browser to the provider and the callback URL back. Each sign-in under
 * way is kept in `sluice.oidc_logins`, so any engine on the database can finish it. The provider
 * is discovered on first use, not at start, so an engine starts while its provider is down.
 *
 * @example
 * const { url, state } = await oidc.start('https://console.example.com/auth/oidc/callback')
 * // ... the provider redirects back ...
 * const identity = await oidc.finish(callbackUrl, state)
 */
export class OidcSignIn {
  readonly #settings: OidcSettings
  readonly #pool: pg.Pool
  #config: Promise<client.Configuration> | undefined

  constructor(settings: OidcSettings, pool: pg.Pool) {
    this.#settings = settings
    this.#pool = pool
  }

  get label(): string {
    return this.#settings.label
  }

  #configuration(): Promise<client.Configuration> {
    this.#config ??= (async () => {
      const issuer = new URL(this.#settings.issuer)
      // http is allowed only for a provider on loopback (a test or a local one); env.ts checks.
      // openid-client marks the option deprecated only to make it stand out.
      const insecure = issuer.protocol === 'http:' && isLoopbackHost(issuer.host)
      return client.discovery(
        issuer,
        this.#settings.clientId,
        this.#settings.clientSecret,
        undefined,
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      )
    })().catch((error: unknown) => {
      this.#config = undefined
      throw new EngineError(
        'UNAVAILABLE',
        `the OpenID Connect provider at ${this.#settings.issuer} cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
      )
    })
    return this.#config
  }

  async start(redirectUri: string): Promise<{ url: string; state: string }> {
    const config = await this.#configuration()
    const codeVerifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    await this.#pool.query(
      `INSERT INTO sluice.oidc_logins (state, code_verifier, nonce, redirect_uri, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))`,
      [state, codeVerifier, nonce, redirectUri, loginMinutes],
    )
    await this.#pool.query('DELETE FROM sluice.oidc_logins WHERE expires_at < now()')
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.#settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    return { url: url.href, state }
  }

  async finish(callbackUrl: string, state: string): Promise<OidcIdentity> {
    const config = await this.#configuration()
    // Taken once: a callback replayed finds nothing.
    const pending = await this.#pool.query<{
      code_verifier: string
      nonce: string
      redirect_uri: string
    }>(
      'DELETE FROM sluice.oidc_logins WHERE state = $1 AND expires_at > now() RETURNING code_verifier, nonce, redirect_uri',
      [state],
    )
    const login = pending.rows[0]
    if (!login)
      throw new OidcRefusal('this sign-in is unknown or took longer than 10 minutes: start again')
    const returned = new URL(callbackUrl)
    if (`${returned.origin}${returned.pathname}` !== login.redirect_uri) {
      throw new OidcRefusal('the callback does not match the sign-in it claims to finish')
    }
    let claims: Record<string, unknown>
    try {
      const tokens = await client.authorizationCodeGrant(config, returned, {
        pkceCodeVerifier: login.code_verifier,
        expectedState: state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      })
      const idClaims: Record<string, unknown> = tokens.claims() ?? {}
      claims = { ...idClaims }
      if (claims[this.#settings.rolesClaim] === undefined && typeof idClaims.sub === 'string') {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)
        claims = { ...info, ...claims }
      }
    } catch (error) {
      throw new OidcRefusal(
        `the OpenID Connect provider refused the sign-in: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : ''
    const name = [claims.preferred_username, claims.email, subject].find(
      (value): value is string => typeof value === 'string' && value !== '',
    )
    if (name === undefined) throw new OidcRefusal('the provider named no user (no sub claim)')
    const role = roleFromClaim(claims[this.#settings.rolesClaim])
    if (role === undefined) {
      throw new OidcRefusal(
        `${name} has no Sluice role: the provider's "${this.#settings.rolesClaim}" claim must name viewer, operator or admin`,
        name,
      )
    }
    return { name, subject, role }
  }
}
