import 'server-only'

/** The browser's session: HttpOnly, so page scripts never read it. */
export const SESSION_COOKIE = 'sluice_session'

/** The state of an OpenID Connect sign-in under way, tying the callback to this browser. */
export const OIDC_STATE_COOKIE = 'sluice_oidc_state'

/** A cookie's value from a Cookie header, or undefined. */
export function readCookie(cookieHeader: string | null, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return decodeURIComponent(value.join('='))
  }
  return undefined
}

/**
 * Whether the browser reached the console over HTTPS: directly, or through a proxy that
 * terminated TLS and says so (`X-Forwarded-Proto: https`). The cookie is then `Secure`.
 */
export function servedOverHttps(request: Request): boolean {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim()
  return new URL(request.url).protocol === 'https:' || forwarded === 'https'
}

/**
 * A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS; `maxAgeSeconds` 0
 * deletes it.
 *
 * @example
 * headers.append('set-cookie', cookieHeader(SESSION_COOKIE, id, { secure, maxAgeSeconds: 43_200 }))
 */
export function cookieHeader(
  name: string,
  value: string,
  options: { secure: boolean; maxAgeSeconds: number },
): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ')
}
