import { z } from 'zod'

/*
 * Who may do what. Three roles, each allowing what the one before it does: `viewer` reads
 * everything (SQL parameters only where the engine allows it), `operator` also pauses, resumes
 * and flushes pipelines, sends queries and retries or discards failed queries, `admin` also
 * creates, edits and deletes pipelines and manages users and reads the audit log.
 */

/** The roles, weakest first. */
export const ROLES = ['viewer', 'operator', 'admin'] as const

export const roleSchema = z.enum(ROLES, { error: 'role must be viewer, operator or admin' })
export type Role = z.output<typeof roleSchema>

/**
 * Whether `role` may do what `required` may.
 *
 * @example
 * roleAllows('admin', 'operator') // true
 * roleAllows('viewer', 'operator') // false
 */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required)
}

/**
 * A local user's name: it shows in the audit log and is typed at sign-in, so letters, digits,
 * `.`, `_`, `-` and `@` only, 1 to 64 characters.
 */
export const userNameSchema = z
  .string({ error: 'user name must be a string' })
  .min(1, 'user name must not be empty')
  .max(64, 'user name must be at most 64 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]*$/,
    'user name may hold only letters, digits, ".", "_", "-" and "@", starting with a letter or digit',
  )

/** Shortest password a local user may have. */
export const MIN_PASSWORD_LENGTH = 10

export const passwordSchema = z
  .string({ error: 'password must be a string' })
  .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1_024, 'password must be at most 1024 characters')

/**
 * Failed sign-ins tolerated within `windowMinutes` before the engine refuses further attempts
 * (`RATE_LIMITED`, with `Retry-After`): per user name, and per address the attempts came from.
 * Counted in the engine's database, so the limit holds across engines.
 */
export const SIGN_IN_LIMITS = { perUser: 5, perAddress: 20, windowMinutes: 15 } as const

/** Input of `auth.signIn`. */
export const signInInputSchema = z.object({
  user: z
    .string()
    .min(1, 'enter your user name')
    .max(64, 'user name must be at most 64 characters'),
  password: z.string().min(1, 'enter your password').max(1_024),
})

/**
 * Who is calling, as the engine resolved it: a signed-in user (local or OpenID Connect), a named
 * API token, or `local` (nobody signed in, allowed because sign-in is off).
 */
export const callerViewSchema = z.object({
  kind: z.enum(['user', 'token', 'local']),
  name: z.string(),
  role: roleSchema,
  /** For users: how they signed in. */
  method: z.enum(['password', 'oidc']).nullable(),
  /** Whether this caller sees (and may search) SQL parameters of failed queries. */
  seesParams: z.boolean(),
})
export type CallerView = z.output<typeof callerViewSchema>

/** Answer of `auth.session`: the caller, if any, and what signing in takes on this engine. */
export const authSessionSchema = z.object({
  caller: callerViewSchema.nullable(),
  /** False only while sign-in is off (engine on loopback, no users, no OpenID Connect). */
  signInRequired: z.boolean(),
  /** Why sign-in is required, for the sign-in page (e.g. `2 local users exist`). */
  reason: z.string(),
  /** Local users exist: the password form is offered. */
  passwordSignIn: z.boolean(),
  /** OpenID Connect is configured: its button's label, else null. */
  oidc: z.object({ label: z.string() }).nullable(),
  /** The session cookie's lifetime, in seconds. */
  sessionSeconds: z.number(),
})
export type AuthSession = z.output<typeof authSessionSchema>

/** Answer of a sign-in: the new session's id (the console puts it in an HttpOnly cookie). */
export const signInResultSchema = z.object({
  sessionId: z.string(),
  expiresAt: z.string(),
  caller: callerViewSchema,
})
export type SignInResult = z.output<typeof signInResultSchema>

/** Input of `auth.oidcStart`: where the provider sends the browser back to (the console). */
export const oidcStartInputSchema = z.object({
  redirectUri: z.url({ protocol: /^https?$/, error: 'redirectUri must be an http(s) URL' }),
})

/** Answer of `auth.oidcStart`: the provider's authorization URL and the state it carries. */
export const oidcStartResultSchema = z.object({ url: z.string(), state: z.string() })

/** Input of `auth.oidcFinish`: the full callback URL the provider redirected to. */
export const oidcFinishInputSchema = z.object({
  callbackUrl: z.url({ protocol: /^https?$/, error: 'callbackUrl must be an http(s) URL' }),
  state: z.string().min(1).max(200),
})

/** A local user as `users.list` shows them (never the password hash). */
export const userViewSchema = z.object({
  name: userNameSchema,
  role: roleSchema,
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
})
export type UserView = z.output<typeof userViewSchema>

/** Input of `users.add`. */
export const addUserInputSchema = z.object({
  name: userNameSchema,
  role: roleSchema,
  password: passwordSchema,
})

/** Input of `users.setRole`. */
export const setUserRoleInputSchema = z.object({ name: userNameSchema, role: roleSchema })

/** Input of `users.remove`. */
export const userRefSchema = z.object({ name: userNameSchema })
