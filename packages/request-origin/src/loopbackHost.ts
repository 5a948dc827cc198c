import { hostNameOf } from './hostName'

/**
 * Whether a Host header (port allowed) names this machine by a name that cannot be rebound to
 * another address: localhost, *.localhost, 127.0.0.0/8 or [::1]. A site whose own name is made to
 * resolve to 127.0.0.1 (DNS rebinding) arrives with its own name here, though the browser counts
 * its page as same-origin.
 */
export function isLoopbackHost(host: string | null | undefined): boolean {
  const name = host ? hostNameOf(host) : undefined
  return (
    name !== undefined &&
    (name === 'localhost' ||
      name.endsWith('.localhost') ||
      /^127(?:\.\d{1,3}){3}$/.test(name) ||
      name === '[::1]')
  )
}
