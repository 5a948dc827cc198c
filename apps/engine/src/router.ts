import { auditRouter, authRouter, usersRouter } from './trpc/routers/accessRouters'
import { clusterRouter } from './trpc/routers/clusterRouter'
import { failuresRouter } from './trpc/routers/failuresRouter'
import {
  batchesRouter,
  healthRouter,
  metricsRouter,
  targetsRouter,
} from './trpc/routers/observabilityRouters'
import { pipelinesRouter } from './trpc/routers/pipelinesRouter'
import { router } from './trpc/trpc'

/**
 * The engine's tRPC API, served at `/trpc`. The console imports only its type.
 *
 * @example
 * import type { AppRouter } from '@sluice/engine/router'
 * const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: 'http://127.0.0.1:4000/trpc' })] })
 * const pipelines = await client.pipelines.list.query()
 */
export const appRouter = router({
  pipelines: pipelinesRouter,
  failures: failuresRouter,
  metrics: metricsRouter,
  batches: batchesRouter,
  targets: targetsRouter,
  health: healthRouter,
  cluster: clusterRouter,
  auth: authRouter,
  users: usersRouter,
  audit: auditRouter,
})

/** The type the console's tRPC client is built on. */
export type AppRouter = typeof appRouter
