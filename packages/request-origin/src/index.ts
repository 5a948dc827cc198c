/**
 * Where a request comes from and where it was addressed, judged from its headers alone: the
 * checks a local server needs so that a web page in the operator's browser cannot use it (a
 * cross-site request, or DNS rebinding: a site's name made to resolve to 127.0.0.1). No
 * dependencies and nothing from Node, so Next.js server code can import it.
 *
 * @example
 * import { crossSiteRefusal, isLoopbackHost, isServedHost } from '@sluice/request-origin'
 *
 * isLoopbackHost('localhost:4000') // true
 * isServedHost('sluice.example.com', ['sluice.example.com']) // true
 * crossSiteRefusal({ host: '127.0.0.1:4000', secFetchSite: 'cross-site', origin: undefined })
 * // 'cross-site requests from a browser are refused'
 *
 * @module
 */
export { isLoopbackHost } from './loopbackHost'
export { isServedHost } from './servedHost'
export { crossSiteRefusal } from './crossSite'
export type { BrowserRequestHeaders } from './crossSite'
