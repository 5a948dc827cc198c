/** The request headers that tell a browser's request made for another site's page. */
export interface BrowserRequestHeaders {
  /** The Host header: where the request was sent. */
  readonly host: string | null | undefined
  readonly secFetchSite: string | null | undefined
  readonly origin: string | null | undefined
}

/** The host (and port) of an Origin header; undefined for `null` (an opaque origin) or junk. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase()
  } catch {
    return undefined
  }
}

/**
 * Why a request was made by a browser for a page of another site, or undefined when it was not:
 * `Sec-Fetch-Site` other than same-origin or none (cross-site, same-site), or, for browsers that
 * do not send it, an `Origin` that is not the address the request was sent to. A plain
 * cross-site POST needs no CORS preflight, so without this any page could act for the operator.
 * Applications and servers send neither header and are never refused.
 */
export function crossSiteRefusal(headers: BrowserRequestHeaders): string | undefined {
  const site = headers.secFetchSite
  if (site != null && site !== 'same-origin' && site !== 'none')
    return 'cross-site requests from a browser are refused'
  const origin = headers.origin
  if (origin != null && originHost(origin) !== (headers.host ?? '').toLowerCase())
    return `requests from the page of ${origin} are refused`
  return undefined
}
