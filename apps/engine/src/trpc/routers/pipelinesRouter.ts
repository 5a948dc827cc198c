import { z } from 'zod'
import {
  createPipelineInputSchema,
  flushResultSchema,
  pipelineRefSchema,
  pipelineViewSchema,
  updatePipelineInputSchema,
} from '@sluice/contract'
import { adminWriteProcedure, operatorProcedure, router, viewerProcedure } from '../trpc'

/**
 * `pipelines.*`: list and get (viewers), pause, resume and flush (operators), create, update
 * (live) and delete (admins); every change audited.
 */
export const pipelinesRouter = router({
  list: viewerProcedure
    .output(z.array(pipelineViewSchema))
    .query(({ ctx }) => ctx.services.pipelines.list()),
  get: viewerProcedure
    .input(pipelineRefSchema)
    .output(pipelineViewSchema)
    .query(({ ctx, input }) => ctx.services.pipelines.get(input.name)),
  create: adminWriteProcedure
    .input(createPipelineInputSchema)
    .output(pipelineViewSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.access.pipelineChanges.create(
        ctx.caller,
        input.name,
        input.config,
        input.paused,
      ),
    ),
  update: adminWriteProcedure
    .input(updatePipelineInputSchema)
    .output(pipelineViewSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.access.pipelineChanges.update(ctx.caller, input.name, input.config),
    ),
  delete: adminWriteProcedure
    .input(pipelineRefSchema)
    .output(z.object({ deleted: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.access.pipelineChanges.delete(ctx.caller, input.name)
      return { deleted: input.name }
    }),
  pause: operatorProcedure
    .input(pipelineRefSchema)
    .output(pipelineViewSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.access.pipelineChanges.pause(ctx.caller, input.name),
    ),
  resume: operatorProcedure
    .input(pipelineRefSchema)
    .output(pipelineViewSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.access.pipelineChanges.resume(ctx.caller, input.name),
    ),
  flush: operatorProcedure
    .input(pipelineRefSchema)
    .output(flushResultSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.access.pipelineChanges.flush(ctx.caller, input.name),
    ),
})
