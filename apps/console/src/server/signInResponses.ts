import 'server-only'
import type { SignInResult } from '@sluice/contract'
import { TRPCClientError } from '@trpc/client'
import { cookieHeader, OIDC_STATE_COOKIE, servedOverHttps, SESSION_COOKIE } from './sessionCookie'

/** A 303 to `path` on the console (after a form post, the browser GETs it). */
export function redirectTo(
  request: Request,
  path: string,
  cookies: readonly string[] = [],
): Response {
  const headers = new Headers({
    location: new URL(path, consoleOrigin(request)).toString(),
    'cache-control': 'no-store',
  })
  for (const cookie of cookies) headers.append('set-cookie', cookie)
  return new Response(null, { status: 303, headers })
}

/** The console's origin as the browser addressed it. */
export function consoleOrigin(request: Request): string {
  const host = request.headers.get('host') ?? new URL(request.url).host
  return `${servedOverHttps(request) ? 'https' : 'http'}://${host}`
}

/**
 * Signed in: the new session in the HttpOnly cookie (replacing any before it), the OIDC state
 * cookie cleared, and on to `next`.
 */
export function signedIn(request: Request, result: SignInResult, next = '/'): Response {
  const secure = servedOverHttps(request)
  const seconds = (Date.parse(result.expiresAt) - Date.now()) / 1000
  return redirectTo(request, next, [
    cookieHeader(SESSION_COOKIE, result.sessionId, { secure, maxAgeSeconds: seconds }),
    cookieHeader(OIDC_STATE_COOKIE, '', { secure, maxAgeSeconds: 0 }),
  ])
}

/** Back to the sign-in page, saying why (the engine's message, or `fallback`). */
export function signInRefused(request: Request, error: unknown, fallback: string): Response {
  const message = error instanceof TRPCClientError ? error.message : fallback
  return redirectTo(request, `/sign-in?error=${encodeURIComponent(message)}`)
}

/** Only local paths, so a crafted link cannot send a signed-in browser elsewhere. */
export function localPath(value: unknown): string {
  return typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/\\')
    ? value
    : '/'
}
