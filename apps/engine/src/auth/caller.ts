import { roleAllows, type CallerView, type Role } from '@sluice/contract'
import { EngineError } from '../errors'

/**
 * Who made a call, as the engine resolved it from the request: a signed-in user (by the session
 * the console forwarded), a named API token, `local` (nobody signed in, and sign-in is off), or
 * `anonymous` (nobody, where sign-in is required; `reason` says what was missing).
 */
export type Caller =
  | {
      readonly kind: 'user'
      readonly name: string
      readonly role: Role
      readonly method: 'password' | 'oidc'
      /** SHA-256 of the session id (the id itself is never kept). */
      readonly sessionHash: string
      readonly address: string | null
    }
  | {
      readonly kind: 'token'
      readonly name: string
      readonly role: Role
      readonly address: string | null
    }
  | {
      readonly kind: 'local'
      readonly name: 'local'
      readonly role: 'admin'
      readonly address: string | null
    }
  | {
      readonly kind: 'anonymous'
      readonly name: 'anonymous'
      readonly role: null
      readonly reason: string
      readonly address: string | null
    }

/**
 * A role refusal: FORBIDDEN with the missing role named, also in `requiredRole` for clients.
 *
 * @example
 * throw new RoleRefusal('operator', caller)
 */
export class RoleRefusal extends EngineError {
  readonly requiredRole: Role

  constructor(requiredRole: Role, caller: Caller, what?: string) {
    super(
      'FORBIDDEN',
      `${what ?? 'this'} needs the ${requiredRole} role; ${describeCaller(caller)} has ${caller.role ?? 'no role'}`,
    )
    this.requiredRole = requiredRole
  }
}

/** "user alice", "token deploy", "the local caller". */
export function describeCaller(caller: Caller): string {
  if (caller.kind === 'user') return `user ${caller.name}`
  if (caller.kind === 'token') return `token ${caller.name}`
  if (caller.kind === 'local') return 'the local caller'
  return 'an anonymous caller'
}

/**
 * Throws UNAUTHORIZED for an anonymous caller and `RoleRefusal` (FORBIDDEN) for one whose role is
 * weaker than `required`.
 *
 * @example
 * requireRole(caller, 'operator', 'retrying failed queries')
 */
export function requireRole(
  caller: Caller,
  required: Role,
  what?: string,
): asserts caller is Exclude<Caller, { kind: 'anonymous' }> {
  if (caller.kind === 'anonymous') throw new EngineError('UNAUTHORIZED', caller.reason)
  if (!roleAllows(caller.role, required)) throw new RoleRefusal(required, caller, what)
}

/**
 * Whether the caller sees (and may search) SQL parameters of failed queries: operators and
 * admins always, viewers where the engine allows it (`SLUICE_VIEWERS_SEE_PARAMS`).
 */
export function seesParams(caller: Caller, viewersSeeParams: boolean): boolean {
  return caller.kind !== 'anonymous' && roleSeesParams(caller.role, viewersSeeParams)
}

/** Whether a role sees SQL parameters (see `seesParams`). */
export function roleSeesParams(role: Role, viewersSeeParams: boolean): boolean {
  return roleAllows(role, 'operator') || viewersSeeParams
}

/** The caller as the API shows it (`auth.session`), or null for nobody. */
export function callerView(caller: Caller, viewersSeeParams: boolean): CallerView | null {
  if (caller.kind === 'anonymous') return null
  return {
    kind: caller.kind,
    name: caller.name,
    role: caller.role,
    method: caller.kind === 'user' ? caller.method : null,
    seesParams: seesParams(caller, viewersSeeParams),
  }
}
