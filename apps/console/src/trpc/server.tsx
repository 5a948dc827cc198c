import 'server-only'
import type { AppRouter } from '@sluice/engine/router'
import { dehydrate, HydrationBoundary, noop, type QueryExecuteOptions } from '@tanstack/react-query'
import { createTRPCClient, httpBatchLink, type TRPCClientErrorLike } from '@trpc/client'
import { createTRPCOptionsProxy, type TRPCQueryKey } from '@trpc/tanstack-react-query'
import { headers as requestHeaders } from 'next/headers'
import { cache, type ReactNode } from 'react'
import { engineHeaders, engineTrpcUrl } from '~/server/engineEndpoint'
import { createQueryClient } from './queryClient'

/**
 * How long a page waits for the engine while rendering. A slow engine then costs the first
 * paint this much at most; the browser fetches whatever did not arrive.
 */
const prefetchTimeoutMs = 3_000

type EngineError = TRPCClientErrorLike<AppRouter>

/** The render's query client: one per request, shared by the layout and the page. */
const getQueryClient = cache(() => createQueryClient())

const engineClient = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: engineTrpcUrl,
      // The browser's session and address, from the request being rendered.
      headers: async () => engineHeaders(await requestHeaders()),
      fetch: (url, init) =>
        fetch(url, {
          ...init,
          cache: 'no-store',
          signal: init?.signal
            ? AbortSignal.any([init.signal, AbortSignal.timeout(prefetchTimeoutMs)])
            : AbortSignal.timeout(prefetchTimeoutMs),
        }),
    }),
  ],
})

/**
 * The engine's procedures as query options for server components: the same keys the
 * browser's `useTRPC()` makes, fetched straight from the engine with the server's token and the
 * browser's session.
 *
 * @example
 * await prefetch(trpc.pipelines.list.queryOptions())
 */
export const trpc = createTRPCOptionsProxy<AppRouter>({
  client: engineClient,
  queryClient: getQueryClient,
})

/**
 * Fetches queries into this render's cache before the page renders, so its first HTML holds
 * the data. Each is tried once and a failure is left out: the page still renders, and the
 * browser asks again (which is how an unreachable engine reaches the banner).
 *
 * @example
 * await prefetch(trpc.failures.get.queryOptions({ id }), trpc.health.get.queryOptions())
 */
export async function prefetch<const T extends readonly unknown[]>(
  ...queries: { [K in keyof T]: QueryExecuteOptions<T[K], EngineError, T[K], T[K], TRPCQueryKey> }
): Promise<void> {
  const queryClient = getQueryClient()
  // A failed query stays in the cache as an error, which dehydrate leaves out.
  await Promise.all(
    queries.map((query) => queryClient.query({ ...query, retry: false }).catch(noop)),
  )
}

/**
 * Hands what this render prefetched to the browser's query cache.
 *
 * @example
 * <HydrateClient><PipelinesOverview /></HydrateClient>
 */
export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>
}

/**
 * Fetches one query into this render's cache and answers its data, or undefined when the engine
 * did not answer (the page then renders and the browser asks again).
 *
 * @example
 * const session = await fetchQuery(trpc.auth.session.queryOptions())
 */
export async function fetchQuery<T>(
  query: QueryExecuteOptions<T, EngineError, T, T, TRPCQueryKey>,
): Promise<T | undefined> {
  return getQueryClient()
    .query({ ...query, retry: false })
    .catch(() => undefined)
}
