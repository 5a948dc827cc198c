import { initTRPC, TRPCError } from '@trpc/server'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'
import { z } from 'zod'
import { ENGINE_ERRORS, type EngineErrorCode } from '@sluice/contract'
import { EngineError } from '../errors'
import type { Shutdown } from '../shutdown'
import type { EngineServices } from './services'
import { describeZodError } from './zodMessages'

/** What every tRPC call sees: the engine's services and whether the caller passed auth. */
export interface TrpcContext {
  readonly services: EngineServices
  /** True when no token is configured, or the request carried the right one. */
  readonly authorized: boolean
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

const requireAuth = t.middleware(({ ctx, next }) => {
  if (!ctx.authorized) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'missing or wrong bearer token (Authorization: Bearer <SLUICE_API_TOKEN>)',
    })
  }
  return next()
})

const refuseWhileShuttingDown = t.middleware(({ ctx, next }) => {
  ctx.shutdown.refuseNewWork()
  return next()
})

/** Builds routers. */
export const router = t.router

/** Reads: authorized callers only. */
export const readProcedure = t.procedure.use(requireAuth).use(mapEngineErrors)

/** Changes: authorized, and refused once shutdown began. */
export const writeProcedure = readProcedure.use(refuseWhileShuttingDown)
