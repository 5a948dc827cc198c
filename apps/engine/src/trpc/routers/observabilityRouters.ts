import { z } from 'zod'
import {
  batchListSchema,
  healthSchema,
  listBatchesInputSchema,
  liveMetricsInputSchema,
  metricsHistoryInputSchema,
  metricsHistorySchema,
  targetCheckSchema,
  targetRefSchema,
  targetViewSchema,
} from '@sluice/contract'
import { router, viewerProcedure } from '../trpc'

/**
 * `metrics.live` streams `{ at, samples }` once a second over SSE (httpSubscriptionLink);
 * `metrics.history` returns up to the last hour of the same samples.
 */
export const metricsRouter = router({
  live: viewerProcedure.input(liveMetricsInputSchema).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    yield* ctx.services.metrics.live(input.pipelines, signal)
  }),
  history: viewerProcedure
    .input(metricsHistoryInputSchema)
    .output(metricsHistorySchema)
    .query(({ ctx, input }) => ctx.services.metrics.history(input.pipeline, input.windowSeconds)),
})

/** `batches.list`: recent batches, newest first, with trace ids and Jaeger links. */
export const batchesRouter = router({
  list: viewerProcedure
    .input(listBatchesInputSchema)
    .output(batchListSchema)
    .query(({ ctx, input }) => ctx.services.batches.list(input.pipeline, input.limit)),
})

/** `targets.list` and `targets.check`: named data sources, never a connection string. */
export const targetsRouter = router({
  list: viewerProcedure
    .output(z.array(targetViewSchema))
    .query(({ ctx }) => ctx.services.targets.list()),
  check: viewerProcedure
    .input(targetRefSchema)
    .output(targetCheckSchema)
    .query(({ ctx, input }) => ctx.services.targets.check(input.name)),
})

/** `health.get`: database reachability, pipeline counts, whether auth is on. */
export const healthRouter = router({
  get: viewerProcedure.output(healthSchema).query(({ ctx }) => ctx.services.health.get()),
})
