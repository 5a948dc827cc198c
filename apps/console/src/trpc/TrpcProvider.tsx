'use client'

import type { AppRouter } from '@sluice/engine/router'
import { QueryClientProvider } from '@tanstack/react-query'
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client'
import { useState, type ReactNode } from 'react'
import { createQueryClient } from './queryClient'
import { TRPCProvider } from './trpc'

/** The console's own route handler, which adds the engine's token on the server side. */
const apiPath = '/api/trpc'

/**
 * Provides TanStack Query and the typed tRPC client: subscriptions go over SSE
 * (`httpSubscriptionLink`), everything else through batched HTTP.
 *
 * @example
 * <TrpcProvider><App /></TrpcProvider>
 */
export function TrpcProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() =>
    createQueryClient({
      onUnauthorized: () => {
        if (window.location.pathname !== '/sign-in') window.location.assign('/sign-in')
      },
    }),
  )
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({ url: apiPath }),
          false: httpBatchLink({ url: apiPath, maxURLLength: 4_000 }),
        }),
      ],
    }),
  )
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  )
}
