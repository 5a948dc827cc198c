import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query'

/** Whether an engine answer says the caller is not (or no longer) signed in. */
function unauthorized(error: unknown): boolean {
  const data = (error as { data?: { code?: string } } | null)?.data
  return data?.code === 'UNAUTHORIZED'
}

/**
 * A query client with the console's defaults. The browser keeps one for the session; the
 * server makes one per render to prefetch a page, and its results start the browser's cache.
 * `onUnauthorized` runs when the engine answers that the session has ended (the browser goes to
 * the sign-in page).
 */
export function createQueryClient(options: { onUnauthorized?: () => void } = {}): QueryClient {
  const onError = (error: unknown) => {
    if (unauthorized(error)) options.onUnauthorized?.()
  }
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // Also keeps the browser from fetching again what the server has just prefetched.
        staleTime: 2_000,
        // The engine banner reports outages; don't stack silent retries on top of it.
        retry: (count, error) => count < 1 && !unauthorized(error),
        refetchOnWindowFocus: true,
      },
    },
  })
}
