import {
  insightDetailSchema,
  insightInputSchema,
  insightsInputSchema,
  insightsListSchema,
} from '@sluice/contract'
import { router, viewerProcedure } from '../trpc'

/**
 * `insights.list`: statement shapes per pipeline (calls, rows, failures, durations, merged,
 * deduplicated, share of time, a sparkline); `insights.get`: one shape with its series.
 */
export const insightsRouter = router({
  list: viewerProcedure
    .input(insightsInputSchema)
    .output(insightsListSchema)
    .query(({ ctx, input }) => ctx.services.insights.list(input)),
  get: viewerProcedure
    .input(insightInputSchema)
    .output(insightDetailSchema)
    .query(({ ctx, input }) => ctx.services.insights.get(input)),
})
