import 'server-only'
import { env } from '~/env'

/**
 * Where the engine serves tRPC, for both the browser's calls (through the proxy) and the
 * server's own while it renders a page.
 */
export const engineTrpcUrl = `${env.engineUrl}/trpc`

/**
 * The header that authorizes the console's server to the engine; added on the server only,
 * so the browser never holds the token.
 */
export function engineAuthorization(): Record<string, string> {
  return env.apiToken ? { authorization: `Bearer ${env.apiToken}` } : {}
}
