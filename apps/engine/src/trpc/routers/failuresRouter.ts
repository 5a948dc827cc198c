import {
  countSchema,
  discardFailuresInputSchema,
  failedQueryViewSchema,
  failureFilterSchema,
  failureIdSchema,
  failurePageSchema,
  listFailuresInputSchema,
  retryFailuresInputSchema,
  retryReportSchema,
} from '@sluice/contract'
import { z } from 'zod'
import { readProcedure, router, writeProcedure } from '../trpc'

/** `failures.*`: search, inspect, retry (selected, edited, all matching) and discard. */
export const failuresRouter = router({
  list: readProcedure
    .input(listFailuresInputSchema)
    .output(failurePageSchema)
    .query(({ ctx, input }) => {
      const { limit, offset, cursor, ...filter } = input
      return ctx.services.failures.list(filter, { limit, offset, cursor })
    }),
  count: readProcedure
    .input(failureFilterSchema)
    .output(countSchema)
    .query(async ({ ctx, input }) => ({ count: await ctx.services.failures.count(input) })),
  get: readProcedure
    .input(z.object({ id: failureIdSchema }))
    .output(failedQueryViewSchema)
    .query(({ ctx, input }) => ctx.services.failures.get(input.id)),
  retry: writeProcedure
    .input(retryFailuresInputSchema)
    .output(retryReportSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.failures.retry(input.ids, {
        params: input.params,
        allowOutcomeUnknown: input.allowOutcomeUnknown,
      }),
    ),
  retryAll: writeProcedure
    .input(failureFilterSchema)
    .output(retryReportSchema)
    .mutation(({ ctx, input }) => ctx.services.failures.retryAll(input)),
  discard: writeProcedure
    .input(discardFailuresInputSchema)
    .output(countSchema)
    .mutation(async ({ ctx, input }) => ({
      count: await ctx.services.failures.discard(input.ids),
    })),
  discardAll: writeProcedure
    .input(failureFilterSchema)
    .output(countSchema)
    .mutation(async ({ ctx, input }) => ({ count: await ctx.services.failures.discardAll(input) })),
})
