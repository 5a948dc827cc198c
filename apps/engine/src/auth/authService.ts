import type { AuthSession, SignInResult } from '@sluice/contract'
import { actorOf, type AuditLog } from '../audit/auditLog'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import { callerView, roleSeesParams, type Caller } from './caller'
import { OidcRefusal, type OidcSignIn } from './oidcSignIn'
import { verifyPassword } from './passwords'
import type { SessionStore } from './sessionStore'
import type { SignInLimiter } from './signInLimiter'
import type { SignInPolicy } from './signInPolicy'
import type { UserStore } from './userStore'

/** What signing in needs. */
export interface AuthDeps {
  readonly users: UserStore
  readonly sessions: SessionStore
  readonly limiter: SignInLimiter
  readonly policy: SignInPolicy
  readonly audit: AuditLog
  readonly oidc: OidcSignIn | undefined
  readonly sessionHours: number
  readonly viewersSeeParams: boolean
  readonly log: Logger
}

const wrongCredentials = 'wrong user name or password'

/**
 * Signing in and out. Each sign-in makes a new session (a fresh random id: the one the browser
 * held before, if any, is ended, so a planted id never becomes a signed-in one) and is audited,
 * as is each failed attempt.
 *
 * @example
 * const result = await auth.signIn(caller, { user: 'alice', password }, previousSessionId)
 */
export class AuthService {
  readonly #deps: AuthDeps

  constructor(deps: AuthDeps) {
    this.#deps = deps
  }

  get viewersSeeParams(): boolean {
    return this.#deps.viewersSeeParams
  }

  async session(caller: Caller, browserHost: string | undefined): Promise<AuthSession> {
    const status = await this.#deps.policy.status(browserHost)
    return {
      caller: callerView(caller, this.#deps.viewersSeeParams),
      signInRequired: status.required,
      reason: status.reason,
      passwordSignIn: status.users > 0,
      oidc: this.#deps.oidc ? { label: this.#deps.oidc.label } : null,
      sessionSeconds: this.#deps.sessionHours * 3600,
    }
  }

  async signIn(
    caller: Caller,
    credentials: { user: string; password: string },
    previousSession: string | undefined,
  ): Promise<SignInResult> {
    const { users, limiter, audit } = this.#deps
    let found: Awaited<ReturnType<UserStore['find']>>
    let ok: boolean
    try {
      ok = await limiter.attempt(credentials.user, caller.address, async () => {
        found = await users.find(credentials.user)
        return verifyPassword(found?.passwordHash, credentials.password)
      })
    } catch (error) {
      if (error instanceof EngineError && error.code === 'RATE_LIMITED') {
        await this.#failed(caller, credentials.user, 'password', 'rate limited')
      }
      throw error
    }
    if (!ok || !found) {
      await this.#failed(
        caller,
        credentials.user,
        'password',
        found ? 'wrong password' : 'no such user',
      )
      throw new EngineError('UNAUTHORIZED', wrongCredentials)
    }
    await users.markSignedIn(found.name)
    const result = await this.#open(
      caller,
      { user: found.name, role: found.role, method: 'password' },
      previousSession,
    )
    await audit.record({
      actor: { kind: 'user', name: found.name },
      role: found.role,
      address: caller.address,
      action: 'auth.signIn',
      target: found.name,
      details: { method: 'password' },
    })
    return result
  }

  async signOut(caller: Caller, sessionId: string): Promise<void> {
    const ended = await this.#deps.sessions.remove(sessionId)
    if (ended) {
      await this.#deps.audit.record({
        actor: { kind: 'user', name: ended.user },
        role: caller.kind === 'user' ? caller.role : null,
        address: caller.address,
        action: 'auth.signOut',
        target: ended.user,
      })
    }
  }

  oidcStart(redirectUri: string): Promise<{ url: string; state: string }> {
    return this.#oidc().start(redirectUri)
  }

  async oidcFinish(
    caller: Caller,
    callbackUrl: string,
    state: string,
    previousSession: string | undefined,
  ): Promise<SignInResult> {
    let identity
    try {
      identity = await this.#oidc().finish(callbackUrl, state)
    } catch (error) {
      if (error instanceof OidcRefusal) {
        await this.#failed(caller, error.userName ?? 'unknown', 'oidc', error.message)
      }
      throw error
    }
    const result = await this.#open(
      caller,
      { user: identity.name, role: identity.role, method: 'oidc' },
      previousSession,
    )
    await this.#deps.audit.record({
      actor: { kind: 'user', name: identity.name },
      role: identity.role,
      address: caller.address,
      action: 'auth.signIn',
      target: identity.name,
      details: { method: 'oidc', subject: identity.subject },
    })
    return result
  }

  #oidc(): OidcSignIn {
    if (!this.#deps.oidc) {
      throw new EngineError('NOT_FOUND', 'OpenID Connect is not configured (SLUICE_OIDC_ISSUER, …)')
    }
    return this.#deps.oidc
  }

  async #open(
    caller: Caller,
    who: { user: string; role: SignInResult['caller']['role']; method: 'password' | 'oidc' },
    previousSession: string | undefined,
  ): Promise<SignInResult> {
    if (previousSession !== undefined && previousSession !== '')
      await this.#deps.sessions.remove(previousSession)
    const session = await this.#deps.sessions.create({
      user: who.user,
      method: who.method,
      role: who.method === 'oidc' ? who.role : null,
      address: caller.address,
      hours: this.#deps.sessionHours,
    })
    this.#deps.log.info({ user: who.user, method: who.method }, 'signed in')
    return {
      sessionId: session.id,
      expiresAt: session.expiresAt.toISOString(),
      caller: {
        kind: 'user',
        name: who.user,
        role: who.role,
        method: who.method,
        seesParams: roleSeesParams(who.role, this.#deps.viewersSeeParams),
      },
    }
  }

  async #failed(
    caller: Caller,
    user: string,
    method: 'password' | 'oidc',
    reason: string,
  ): Promise<void> {
    await this.#deps.audit.record({
      ...actorOf(caller),
      actor: { kind: 'anonymous', name: user },
      role: null,
      action: 'auth.signInFailed',
      target: user,
      details: { method, reason },
    })
  }
}
