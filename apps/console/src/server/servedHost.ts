/**
 * Whether the console may act for a request addressed to `host` (the Host header): loopback
 * names, or one of `allowed` (SLUICE_CONSOLE_HOSTS). Its proxy adds the engine's token, so a
 * site made to resolve to 127.0.0.1 (DNS rebinding) must not be able to use it, though the
 * browser counts such a page as same-origin.
 *
 * @example
 * isServedHost('localhost:3000', []) // true
 * isServedHost('attacker.example:3000', []) // false
 * isServedHost('sluice.example.com', ['sluice.example.com']) // true
 */
export function isServedHost(host: string | null, allowed: readonly string[]): boolean {
  if (host === null) return false
  let hostname: string
  try {
    hostname = new URL(`http://${host}`).hostname.toLowerCase()
  } catch {
    return false
  }
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127(?:\.\d{1,3}){3}$/.test(hostname) ||
    hostname === '[::1]' ||
    allowed.includes(hostname)
  )
}
