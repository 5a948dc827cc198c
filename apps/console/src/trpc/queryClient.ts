import { QueryClient } from '@tanstack/react-query'

/**
 * A query client with the console's defaults. The browser keeps one for the session; the
 * server makes one per render to prefetch a page, and its results start the browser's cache.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Also keeps the browser from fetching again what the server has just prefetched.
        staleTime: 2_000,
        // The engine banner reports outages; don't stack silent retries on top of it.
        retry: 1,
        refetchOnWindowFocus: true,
      },
    },
  })
}
