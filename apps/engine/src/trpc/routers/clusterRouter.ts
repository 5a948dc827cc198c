import {
  clusterMetricsHistoryInputSchema,
  clusterMetricsHistorySchema,
  clusterMetricsLiveInputSchema,
  clusterViewSchema,
} from '@sluice/contract'
import { router, viewerProcedure } from '../trpc'

/**
 * `cluster.members`: the engines on this database, what each runs and its load.
 * `cluster.metricsHistory` / `cluster.metricsLive` (SSE): the cluster's per-second totals per
 * pipeline, with each engine's own samples beside them.
 */
export const clusterRouter = router({
  members: viewerProcedure
    .output(clusterViewSchema)
    .query(({ ctx }) => ctx.services.cluster.members()),
  metricsHistory: viewerProcedure
    .input(clusterMetricsHistoryInputSchema)
    .output(clusterMetricsHistorySchema)
    .query(({ ctx, input }) =>
      ctx.services.cluster.metricsHistory(input.pipeline, input.windowSeconds),
    ),
  metricsLive: viewerProcedure.input(clusterMetricsLiveInputSchema).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    yield* ctx.services.cluster.metricsLive(input.pipelines, signal)
  }),
})
