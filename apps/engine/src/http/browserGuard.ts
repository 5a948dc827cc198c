import type { IncomingHttpHeaders } from 'node:http'
import { EngineError } from '../errors'

/*
 * A web page the operator opens can make their browser send requests to the engine: a plain
 * cross-site POST needs no CORS preflight, and a site whose name is made to resolve to 127.0.0.1
 * (DNS rebinding) even counts as same-origin. With no token on the API, either would let any
 * site run SQL. Applications and the console's server send no browser headers and are not
 * affected.
 */

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

/** The host (and port) of an Origin header; undefined for `null` (an opaque origin) or junk. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase()
  } catch {
    return undefined
  }
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1: names that cannot be rebound to another host. */
function isLoopbackName(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(hostname) ||
    hostname === '[::1]'
  )
}

/**
 * Throws FORBIDDEN for a request a browser made on behalf of another site: `Sec-Fetch-Site`
 * cross-site or same-site, or an `Origin` that is not the address the request was sent to; and,
 * when `tokenRequired` is false, for a `Host` that is not a loopback name (DNS rebinding).
 *
 * @example
 * refuseBrowserForgery(request.headers, apiToken !== undefined)
 */
export function refuseBrowserForgery(headers: IncomingHttpHeaders, tokenRequired: boolean): void {
  const host = headers.host ?? ''
  if (!tokenRequired) {
    const hostname = hostnameOf(host)
    if (hostname === undefined || !isLoopbackName(hostname)) {
      throw new EngineError(
        'FORBIDDEN',
        `requests must be addressed to localhost or 127.0.0.1 while no SLUICE_API_TOKEN is set (Host: ${host || 'none'})`,
      )
    }
  }
  const site = headers['sec-fetch-site']
  if (site === 'cross-site' || site === 'same-site') {
    throw new EngineError('FORBIDDEN', 'cross-site requests from a browser are refused')
  }
  const origin = headers.origin
  if (origin !== undefined && originHost(origin) !== host.toLowerCase()) {
    throw new EngineError('FORBIDDEN', `requests from the page of ${origin} are refused`)
  }
}
