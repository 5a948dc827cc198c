'use client'

import type { AppRouter } from '@sluice/engine/router'
import { createTRPCContext } from '@trpc/tanstack-react-query'

/**
 * Typed tRPC hooks for the engine's `AppRouter`.
 *
 * @example
 * const trpc = useTRPC()
 * const pipelines = useQuery(trpc.pipelines.list.queryOptions())
 */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>()
