import 'server-only'
import type { AppRouter } from '@sluice/engine/router'
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client'
import { engineHeaders, engineTrpcUrl } from './engineEndpoint'

/**
 * A tRPC client on the engine acting for the browser that sent `request` (its session, its
 * address), for the console's sign-in routes.
 *
 * @example
 * const result = await engineClientFor(request).auth.signIn.mutate({ user, password })
 */
export function engineClientFor(request: Request): TRPCClient<AppRouter> {
  const headers = engineHeaders(request.headers)
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: engineTrpcUrl,
        headers,
        fetch: (url, init) => fetch(url, { ...init, cache: 'no-store' }),
      }),
    ],
  })
}
