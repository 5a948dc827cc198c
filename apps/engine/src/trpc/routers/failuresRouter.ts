import {
  countSchema,
  discardFailuresInputSchema,
  failedQueryViewSchema,
  failureFilterSchema,
  failureGroupListSchema,
  listFailureGroupsInputSchema,
  failureIdSchema,
  failurePageSchema,
  listFailuresInputSchema,
  retryFailuresInputSchema,
  retryReportSchema,
} from '@sluice/contract'
import { z } from 'zod'
import { checkParamsSearch, visibleFailure } from '../../auth/paramsAccess'
import { operatorProcedure, router, viewerProcedure } from '../trpc'

/**
 * `failures.*`: search, inspect (viewers and up; parameters only for those who may see them),
 * retry (selected, edited, all matching) and discard (operators and up, audited).
 */
export const failuresRouter = router({
  list: viewerProcedure
    .input(listFailuresInputSchema)
    .output(failurePageSchema)
    .query(async ({ ctx, input }) => {
      const { limit, offset, cursor, ...filter } = input
      const { viewersSeeParams } = ctx.services.access.auth
      checkParamsSearch(filter, ctx.caller, viewersSeeParams)
      const page = await ctx.services.failures.list(filter, { limit, offset, cursor })
      return {
        ...page,
        items: page.items.map((item) => visibleFailure(item, ctx.caller, viewersSeeParams)),
      }
    }),
  groups: viewerProcedure
    .input(listFailureGroupsInputSchema)
    .output(failureGroupListSchema)
    .query(({ ctx, input }) => ctx.services.failures.groups(input)),
  count: viewerProcedure
    .input(failureFilterSchema)
    .output(countSchema)
    .query(async ({ ctx, input }) => {
      checkParamsSearch(input, ctx.caller, ctx.services.access.auth.viewersSeeParams)
      return { count: await ctx.services.failures.count(input) }
    }),
  get: viewerProcedure
    .input(z.object({ id: failureIdSchema }))
    .output(failedQueryViewSchema)
    .query(async ({ ctx, input }) =>
      visibleFailure(
        await ctx.services.failures.get(input.id),
        ctx.caller,
        ctx.services.access.auth.viewersSeeParams,
      ),
    ),
  retry: operatorProcedure
    .input(retryFailuresInputSchema)
    .output(retryReportSchema)
    .mutation(({ ctx, input }) => ctx.services.access.failureChanges.retry(ctx.caller, input)),
  retryAll: operatorProcedure
    .input(failureFilterSchema)
    .output(retryReportSchema)
    .mutation(({ ctx, input }) => ctx.services.access.failureChanges.retryAll(ctx.caller, input)),
  discard: operatorProcedure
    .input(discardFailuresInputSchema)
    .output(countSchema)
    .mutation(async ({ ctx, input }) => ({
      count: await ctx.services.access.failureChanges.discard(ctx.caller, input.ids),
    })),
  discardAll: operatorProcedure
    .input(failureFilterSchema)
    .output(countSchema)
    .mutation(async ({ ctx, input }) => ({
      count: await ctx.services.access.failureChanges.discardAll(ctx.caller, input),
    })),
})
