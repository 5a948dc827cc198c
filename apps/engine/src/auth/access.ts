import type pg from 'pg'
import { AuditLog } from '../audit/auditLog'
import { FailureChanges } from '../audit/failureChanges'
import { PipelineChanges } from '../audit/pipelineChanges'
import type { Logger } from '../logger'
import type { AccessServices } from '../trpc/accessServices'
import type { FailureService, PipelineService } from '../trpc/services'
import type { ApiToken } from './apiTokens'
import type { AuthSettings } from './authEnv'
import { AuthService } from './authService'
import { CallerResolver } from './callerResolver'
import { OidcSignIn } from './oidcSignIn'
import { SessionStore } from './sessionStore'
import { SignInLimiter } from './signInLimiter'
import { SignInPolicy } from './signInPolicy'
import { UserAdmin } from './userAdmin'
import { UserStore } from './userStore'

/** How often expired sessions, old sign-in failures and audit entries past retention go. */
const housekeepingMs = 60 * 60 * 1000

/** Who may do what on one engine: the caller resolver for its HTTP server, the services, a stop. */
export interface Access {
  readonly callers: CallerResolver
  readonly services: AccessServices
  /** Resolves once what requests need at once is read (the count of users). */
  ready(): Promise<void>
  /** Stops the hourly housekeeping. */
  stop(): void
}

/**
 * Wires sign-in, sessions, roles and the audit log for an engine: everything lives in the
 * engine's own database, so several engines on one database share users, sessions, rate limits
 * and the log.
 *
 * @example
 * const access = createAccess({ pool, tokens, settings: {}, loopbackListen: true, pipelines: registry, failures, log })
 */
export function createAccess(deps: {
  pool: pg.Pool
  tokens: readonly ApiToken[]
  settings: AuthSettings
  loopbackListen: boolean
  pipelines: PipelineService
  failures: FailureService
  log: Logger
}): Access {
  const { pool, settings, log } = deps
  const audit = new AuditLog(pool, log)
  const users = new UserStore(pool)
  const sessions = new SessionStore(pool)
  const limiter = new SignInLimiter(pool)
  const policy = new SignInPolicy(users, {
    loopbackListen: deps.loopbackListen,
    oidc: settings.oidc !== undefined,
  })
  const retentionDays = settings.auditRetentionDays ?? 365
  const housekeeping = async () => {
    try {
      await sessions.purgeExpired()
      await limiter.purgeOld()
      const purged = await audit.purge(retentionDays)
      if (purged > 0) log.info({ purged, retentionDays }, 'audit entries past retention purged')
    } catch (error) {
      log.warn({ err: error }, 'access housekeeping failed (it runs again in an hour)')
    }
  }
  void housekeeping()
  const timer = setInterval(() => void housekeeping(), housekeepingMs)
  timer.unref()
  return {
    callers: new CallerResolver(deps.tokens, sessions, policy),
    services: {
      auth: new AuthService({
        users,
        sessions,
        limiter,
        policy,
        audit,
        oidc: settings.oidc ? new OidcSignIn(settings.oidc, pool) : undefined,
        sessionHours: settings.sessionHours ?? 12,
        viewersSeeParams: settings.viewersSeeParams ?? false,
        log,
      }),
      users: new UserAdmin(users, audit, () => {
        policy.changed()
      }),
      audit,
      pipelineChanges: new PipelineChanges(deps.pipelines, audit),
      failureChanges: new FailureChanges(deps.failures, audit),
    },
    ready: () => policy.prime(),
    stop: () => {
      clearInterval(timer)
    },
  }
}
