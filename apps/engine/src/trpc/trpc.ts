import { initTRPC, TRPCError } from '@trpc/server'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'
import { z } from 'zod'
import { ENGINE_ERRORS, type EngineErrorCode, type Role } from '@sluice/contract'
import { RoleRefusal, type Caller } from '../auth/caller'
import { roleGate } from '../auth/roleGate'
import { EngineError } from '../errors'
import type { Shutdown } from '../shutdown'
import type { EngineServices } from './services'
import { describeZodError } from './zodMessages'

/** What every tRPC call sees: the engine's services and who is calling. */
export interface TrpcContext {
  readonly services: EngineServices
  /** Resolved from the bearer token and the session the console forwarded (CallerResolver). */
  readonly caller: Caller
  /** The session id the console forwarded (for sign-out, and to end it at a new sign-in). */
  readonly sessionId: string | undefined
  /** The name the browser opened the console under, as the console forwarded it. */
  readonly browserHost: string | undefined
  /** Once shutdown began, changes are refused with SERVICE_UNAVAILABLE. */
  readonly shutdown: Shutdown
}

/** The contract's one tRPC code per engine code (typed here: it must be one of tRPC's own). */
function trpcCodeOf(code: EngineErrorCode): TRPC_ERROR_CODE_KEY {
  return ENGINE_ERRORS[code].trpc
}

const t = initTRPC.context<TrpcContext>().create({
  isDev: false,
  sse: {
    ping: { enabled: true, intervalMs: 10_000 },
    client: { reconnectAfterInactivityMs: 20_000 },
  },
  /*
   * Adds `engineCode` (the EngineError code) and `fieldErrors` (zod issues by field path, for
   * forms to show next to the field) to every error's `data`.
   */
  errorFormatter({ shape, error }) {
    const cause = error.cause
    const fieldErrors =
      cause instanceof z.ZodError
        ? Object.fromEntries(
            cause.issues.map((issue) => [issue.path.join('.') || '(root)', issue.message]),
          )
        : null
    return {
      ...shape,
      message: cause instanceof z.ZodError ? describeZodError(cause) : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        engineCode: cause instanceof EngineError ? cause.code : null,
        requiredRole: cause instanceof RoleRefusal ? cause.requiredRole : null,
        fieldErrors,
      },
    }
  },
})

const mapEngineErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (!result.ok && result.error.cause instanceof EngineError) {
    const cause = result.error.cause
    throw new TRPCError({ code: trpcCodeOf(cause.code), message: cause.message, cause })
  }
  return result
})

/* The one place a procedure's role is checked (a refused change is audited). */
const requiring = (role: Role) =>
  t.middleware(async ({ ctx, next, path, type }) => {
    await roleGate(ctx.caller, role, path, {
      audit: ctx.services.access.audit,
      change: type === 'mutation',
    })
    return next()
  })

const refuseWhileShuttingDown = t.middleware(({ ctx, next }) => {
  ctx.shutdown.refuseNewWork()
  return next()
})

/** Builds routers. */
export const router = t.router

/** Anyone whose token (if the engine has tokens) was right: signing in and out. */
export const publicProcedure = t.procedure.use(mapEngineErrors)

/** Reads: viewers and up. */
export const viewerProcedure = publicProcedure.use(requiring('viewer'))

/** Operating pipelines and failed queries: operators and up; refused once shutdown began. */
export const operatorProcedure = publicProcedure
  .use(requiring('operator'))
  .use(refuseWhileShuttingDown)

/** Creating, editing and deleting pipelines, users, the audit log: admins. */
export const adminProcedure = publicProcedure.use(requiring('admin'))

/** Admins' changes, refused once shutdown began. */
export const adminWriteProcedure = adminProcedure.use(refuseWhileShuttingDown)
