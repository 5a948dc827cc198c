import 'server-only'
import { env } from '~/env'
import { readCookie, SESSION_COOKIE } from './sessionCookie'

/**
 * Where the engine serves tRPC, for both the browser's calls (through the proxy) and the
 * server's own while it renders a page.
 */
export const engineTrpcUrl = `${env.engineUrl}/trpc`

/** A request's headers (a fetch `Headers`, or Next.js's read-only ones while rendering). */
interface HeaderSource {
  get(name: string): string | null
}

/**
 * The headers the console's server sends the engine for one browser's request: the engine's
 * bearer token (added on the server only, so the browser never holds it), the browser's session
 * id from its HttpOnly cookie (empty when it has none: the engine resolves the session and its
 * role), the browser's address and the name it opened the console under.
 *
 * @example
 * const headers = engineHeaders(request.headers)
 */
export function engineHeaders(browser: HeaderSource): Record<string, string> {
  const address = clientAddress(browser)
  return {
    ...(env.apiToken ? { authorization: `Bearer ${env.apiToken}` } : {}),
    'x-sluice-session': readCookie(browser.get('cookie'), SESSION_COOKIE) ?? '',
    ...(address ? { 'x-sluice-client-address': address } : {}),
    'x-sluice-browser-host': browser.get('host') ?? '',
  }
}

/*
 * The browser's address: the last X-Forwarded-For entry, the one the hop in front of the console
 * added (a proxy, or Next.js itself from the socket when there is none). Entries before it are
 * the client's word.
 */
function clientAddress(headers: HeaderSource): string | undefined {
  const hops = headers
    .get('x-forwarded-for')
    ?.split(',')
    .map((hop) => hop.trim())
    .filter(Boolean)
  const last = hops?.at(-1)
  return last?.startsWith('::ffff:') ? last.slice(7) : last
}
