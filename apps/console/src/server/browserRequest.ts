import 'server-only'
import { crossSiteRefusal, isServedHost } from '@sluice/request-origin'
import { env } from '~/env'

/**
 * Why the console's server must not act for this request, or null: another site's page made it
 * from the operator's browser, or it is addressed to a name the console is not served under
 * (DNS rebinding). The proxy and the sign-in routes act with the engine's token and the
 * browser's session, so they refuse both.
 *
 * @example
 * const refusal = foreignRequestRefusal(request)
 * if (refusal) return Response.json({ error: { message: refusal } }, { status: 403 })
 */
export function foreignRequestRefusal(request: Request): string | null {
  const host = request.headers.get('host')
  return (
    unservedHostRefusal(request) ??
    crossSiteRefusal({
      host,
      secFetchSite: request.headers.get('sec-fetch-site'),
      origin: request.headers.get('origin'),
    }) ??
    null
  )
}

/**
 * Why a request addressed to a name the console is not served under is refused, or null. Alone
 * (without the cross-site check) for the OpenID Connect callback, which the provider's site
 * sends the browser to.
 */
export function unservedHostRefusal(request: Request): string | null {
  const host = request.headers.get('host')
  return isServedHost(host, env.servedHosts)
    ? null
    : `the console is not served under ${host ?? 'no host name'}; add it to SLUICE_CONSOLE_HOSTS`
}
