import { roleSchema } from '@sluice/contract'
import { isLoopbackHost } from '@sluice/request-origin'
import { z } from 'zod'
import { DEFAULT_TOKEN_NAME, type ApiToken } from './apiTokens'

/*
 * The sign-in, token and audit variables of the engine's environment (env.ts merges these into
 * its one schema). OpenID Connect is on when its issuer, client id and secret are all set.
 */

const blankIsUnset = (value: string | undefined) => (value === '' ? undefined : value)

const tokenEntrySchema = z.union([
  z.string(),
  z.object({ token: z.string(), role: roleSchema.default('admin') }).strict(),
])

const apiTokensSchema = z
  .string()
  .optional()
  .transform(blankIsUnset)
  .transform((text, ctx): ApiToken[] => {
    if (text === undefined) return []
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'SLUICE_API_TOKENS must be JSON, e.g. {"deploy":"<token>"}',
      })
      return z.NEVER
    }
    const entries = z.record(z.string(), tokenEntrySchema).safeParse(parsed)
    if (!entries.success) {
      ctx.addIssue({
        code: 'custom',
        message:
          'SLUICE_API_TOKENS must map names to tokens: {"deploy":"<token>","ci":{"token":"<token>","role":"operator"}} (roles viewer, operator, admin)',
      })
      return z.NEVER
    }
    const tokens: ApiToken[] = []
    for (const [name, entry] of Object.entries(entries.data)) {
      const token = typeof entry === 'string' ? { token: entry, role: 'admin' as const } : entry
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name) || name === DEFAULT_TOKEN_NAME) {
        ctx.addIssue({
          code: 'custom',
          message: `SLUICE_API_TOKENS: "${name}" is not a token name (letters, digits, ".", "_", "-"; "${DEFAULT_TOKEN_NAME}" is SLUICE_API_TOKEN's)`,
        })
      } else if (token.token.length < 16) {
        ctx.addIssue({
          code: 'custom',
          message: `SLUICE_API_TOKENS: the token of "${name}" must be at least 16 characters`,
        })
      }
      tokens.push({ name, ...token })
    }
    return tokens
  })

const positiveWhole = (name: string, fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? String(fallback) : value))
    .refine((value) => /^[0-9]+$/.test(value) && Number(value) >= 1 && Number(value) <= max, {
      error: `${name} must be a whole number from 1 to ${max}`,
    })
    .transform(Number)

const issuerSchema = z
  .string()
  .optional()
  .transform(blankIsUnset)
  .refine(
    (value) => {
      if (value === undefined) return true
      try {
        const url = new URL(value)
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.host))
      } catch {
        return false
      }
    },
    { error: 'SLUICE_OIDC_ISSUER must be an https:// URL (http:// only on a loopback address)' },
  )

/** The fields env.ts adds to its schema. */
export const authEnvShape = {
  SLUICE_API_TOKENS: apiTokensSchema,
  SLUICE_OIDC_ISSUER: issuerSchema,
  SLUICE_OIDC_CLIENT_ID: z.string().optional().transform(blankIsUnset),
  SLUICE_OIDC_CLIENT_SECRET: z.string().optional().transform(blankIsUnset),
  SLUICE_OIDC_ROLES_CLAIM: z
    .string()
    .optional()
    .transform((value) => blankIsUnset(value) ?? 'roles'),
  SLUICE_OIDC_SCOPES: z
    .string()
    .optional()
    .transform((value) => blankIsUnset(value) ?? 'openid profile email'),
  SLUICE_OIDC_LABEL: z
    .string()
    .optional()
    .transform((value) => blankIsUnset(value) ?? 'OpenID Connect'),
  SLUICE_SESSION_HOURS: positiveWhole('SLUICE_SESSION_HOURS', 12, 720),
  SLUICE_AUDIT_RETENTION_DAYS: positiveWhole('SLUICE_AUDIT_RETENTION_DAYS', 365, 36_500),
}

type AuthEnv = z.output<z.ZodObject<typeof authEnvShape>>

const oidcVariables = [
  'SLUICE_OIDC_ISSUER',
  'SLUICE_OIDC_CLIENT_ID',
  'SLUICE_OIDC_CLIENT_SECRET',
] as const

/** OpenID Connect needs its issuer, client id and secret together: names the ones missing. */
export function checkAuthEnvTogether(env: AuthEnv, ctx: z.RefinementCtx): void {
  const set = oidcVariables.filter((name) => env[name] !== undefined)
  if (set.length > 0 && set.length < oidcVariables.length) {
    for (const name of oidcVariables.filter((variable) => env[variable] === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `${name} is required with ${set.join(' and ')} (OpenID Connect needs the issuer, client id and secret)`,
      })
    }
  }
}

/** An OpenID Connect provider the engine signs users in with. */
export interface OidcSettings {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** The ID-token (or userinfo) claim holding the user's Sluice role(s). */
  readonly rolesClaim: string
  readonly scopes: string
  /** The sign-in button's label. */
  readonly label: string
}

/** How the engine signs people in and keeps its audit log (`EngineOptions.auth`). */
export interface AuthSettings {
  readonly oidc?: OidcSettings | undefined
  /** A session's lifetime. Default 12 h. */
  readonly sessionHours?: number
  /** Viewers see the SQL parameters of failed queries. Default false. */
  readonly viewersSeeParams?: boolean
  /** Audit entries older than this are purged. Default 365 days. */
  readonly auditRetentionDays?: number
}

/**
 * The named tokens and the sign-in settings from a validated environment.
 *
 * @example
 * const { apiTokens, auth } = authSettingsFromEnv(loadEnv())
 */
export function authSettingsFromEnv(env: AuthEnv & { SLUICE_VIEWERS_SEE_PARAMS: boolean }): {
  apiTokens: readonly ApiToken[]
  auth: AuthSettings
} {
  const {
    SLUICE_OIDC_ISSUER: issuer,
    SLUICE_OIDC_CLIENT_ID: clientId,
    SLUICE_OIDC_CLIENT_SECRET: clientSecret,
  } = env
  return {
    apiTokens: env.SLUICE_API_TOKENS,
    auth: {
      oidc:
        issuer !== undefined && clientId !== undefined && clientSecret !== undefined
          ? {
              issuer,
              clientId,
              clientSecret,
              rolesClaim: env.SLUICE_OIDC_ROLES_CLAIM,
              scopes: env.SLUICE_OIDC_SCOPES,
              label: env.SLUICE_OIDC_LABEL,
            }
          : undefined,
      sessionHours: env.SLUICE_SESSION_HOURS,
      viewersSeeParams: env.SLUICE_VIEWERS_SEE_PARAMS,
      auditRetentionDays: env.SLUICE_AUDIT_RETENTION_DAYS,
    },
  }
}
