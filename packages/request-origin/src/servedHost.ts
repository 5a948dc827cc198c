import { hostNameOf } from './hostName'
import { isLoopbackHost } from './loopbackHost'

/**
 * Whether a Host header (port allowed) is a loopback name or one of `allowed` (lower-case host
 * names, no port): the names a server is deliberately served under.
 */
export function isServedHost(host: string | null | undefined, allowed: readonly string[]): boolean {
  if (isLoopbackHost(host)) return true
  const name = host ? hostNameOf(host) : undefined
  return name !== undefined && allowed.includes(name)
}
