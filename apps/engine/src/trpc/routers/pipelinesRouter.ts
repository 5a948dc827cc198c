import { z } from 'zod'
import {
  createPipelineInputSchema,
  flushResultSchema,
  pipelineRefSchema,
  pipelineViewSchema,
  updatePipelineInputSchema,
} from '@sluice/contract'
import { readProcedure, router, writeProcedure } from '../trpc'

/** `pipelines.*`: list, get, create, update (live), delete, pause, resume, flush. */
export const pipelinesRouter = router({
  list: readProcedure
    .output(z.array(pipelineViewSchema))
    .query(({ ctx }) => ctx.services.pipelines.list()),
  get: readProcedure
    .input(pipelineRefSchema)
    .output(pipelineViewSchema)
    .query(({ ctx, input }) => ctx.services.pipelines.get(input.name)),
  create: writeProcedure
    .input(createPipelineInputSchema)
    .output(pipelineViewSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.pipelines.create(input.name, input.config, input.paused),
    ),
  update: writeProcedure
    .input(updatePipelineInputSchema)
    .output(pipelineViewSchema)
    .mutation(({ ctx, input }) => ctx.services.pipelines.update(input.name, input.config)),
  delete: writeProcedure
    .input(pipelineRefSchema)
    .output(z.object({ deleted: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.pipelines.delete(input.name)
      return { deleted: input.name }
    }),
  pause: writeProcedure
    .input(pipelineRefSchema)
    .output(pipelineViewSchema)
    .mutation(({ ctx, input }) => ctx.services.pipelines.pause(input.name)),
  resume: writeProcedure
    .input(pipelineRefSchema)
    .output(pipelineViewSchema)
    .mutation(({ ctx, input }) => ctx.services.pipelines.resume(input.name)),
  flush: writeProcedure
    .input(pipelineRefSchema)
    .output(flushResultSchema)
    .mutation(({ ctx, input }) => ctx.services.pipelines.flush(input.name)),
})
