import type { IncomingHttpHeaders } from 'node:http'
import { crossSiteRefusal, isLoopbackHost } from '@sluice/request-origin'
import { EngineError } from '../errors'

/*
 * A web page the operator opens can make their browser send requests to the engine: a plain
 * cross-site POST needs no CORS preflight, and a site whose name is made to resolve to 127.0.0.1
 * (DNS rebinding) even counts as same-origin. With no token on the API, either would let any
 * site run SQL. Applications and the console's server send no browser headers and are not
 * affected.
 */

/**
 * Throws FORBIDDEN for a request a browser made on behalf of another site (`Sec-Fetch-Site`
 * cross-site or same-site, or an `Origin` that is not the address the request was sent to); and,
 * when `tokenRequired` is false, for a `Host` that is not a loopback name (DNS rebinding).
 *
 * @example
 * refuseBrowserForgery(request.headers, apiToken !== undefined)
 */
export function refuseBrowserForgery(headers: IncomingHttpHeaders, tokenRequired: boolean): void {
  if (!tokenRequired && !isLoopbackHost(headers.host)) {
    throw new EngineError(
      'FORBIDDEN',
      `requests must be addressed to localhost or 127.0.0.1 while no SLUICE_API_TOKEN is set (Host: ${headers.host || 'none'})`,
    )
  }
  const refusal = crossSiteRefusal({
    host: headers.host,
    secFetchSite: headers['sec-fetch-site'],
    origin: headers.origin,
  })
  if (refusal !== undefined) throw new EngineError('FORBIDDEN', refusal)
}
