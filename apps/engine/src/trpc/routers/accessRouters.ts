import { z } from 'zod'
import {
  addUserInputSchema,
  auditPageSchema,
  authSessionSchema,
  listAuditInputSchema,
  oidcFinishInputSchema,
  oidcStartInputSchema,
  oidcStartResultSchema,
  setUserRoleInputSchema,
  signInInputSchema,
  signInResultSchema,
  userRefSchema,
  userViewSchema,
} from '@sluice/contract'
import { actorOf } from '../../audit/auditLog'
import { EngineError } from '../../errors'
import { adminProcedure, adminWriteProcedure, publicProcedure, router } from '../trpc'

/**
 * `auth.*`, for the console's server: what signing in takes and who is signed in (`session`),
 * password sign-in, OpenID Connect (start, finish) and sign-out. A sign-in answers the new
 * session's id, which the console keeps in an HttpOnly cookie and forwards on every call.
 */
export const authRouter = router({
  session: publicProcedure
    .output(authSessionSchema)
    .query(({ ctx }) => ctx.services.access.auth.session(ctx.caller, ctx.browserHost)),
  signIn: publicProcedure
    .input(signInInputSchema)
    .output(signInResultSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.access.auth.signIn(ctx.caller, input, ctx.sessionId),
    ),
  signOut: publicProcedure
    .output(z.object({ signedOut: z.boolean() }))
    .mutation(async ({ ctx }) => {
      if (ctx.sessionId === undefined || ctx.sessionId === '') return { signedOut: false }
      await ctx.services.access.auth.signOut(ctx.caller, ctx.sessionId)
      return { signedOut: true }
    }),
  oidcStart: publicProcedure
    .input(oidcStartInputSchema)
    .output(oidcStartResultSchema)
    .mutation(({ ctx, input }) => ctx.services.access.auth.oidcStart(input.redirectUri)),
  oidcFinish: publicProcedure
    .input(oidcFinishInputSchema)
    .output(signInResultSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.access.auth.oidcFinish(
        ctx.caller,
        input.callbackUrl,
        input.state,
        ctx.sessionId,
      ),
    ),
})

/** `users.*`: local users, for admins; every change audited. */
export const usersRouter = router({
  list: adminProcedure
    .output(z.array(userViewSchema))
    .query(({ ctx }) => ctx.services.access.users.list()),
  add: adminWriteProcedure
    .input(addUserInputSchema)
    .output(userViewSchema)
    .mutation(({ ctx, input }) => ctx.services.access.users.add(actorOf(ctx.caller), input)),
  setRole: adminWriteProcedure
    .input(setUserRoleInputSchema)
    .output(z.object({ name: z.string() }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.caller.kind === 'user' && ctx.caller.name === input.name && input.role !== 'admin') {
        throw new EngineError(
          'CONFLICT',
          'you cannot take the admin role from yourself: ask another admin',
        )
      }
      await ctx.services.access.users.setRole(actorOf(ctx.caller), input.name, input.role)
      return { name: input.name }
    }),
  remove: adminWriteProcedure
    .input(userRefSchema)
    .output(z.object({ removed: z.string() }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.caller.kind === 'user' && ctx.caller.name === input.name) {
        throw new EngineError('CONFLICT', 'you cannot remove yourself: ask another admin')
      }
      await ctx.services.access.users.remove(actorOf(ctx.caller), input.name)
      return { removed: input.name }
    }),
})

/** `audit.list`: the audit log, newest first, for admins. */
export const auditRouter = router({
  list: adminProcedure
    .input(listAuditInputSchema)
    .output(auditPageSchema)
    .query(({ ctx, input }) => ctx.services.access.audit.list(input)),
})
