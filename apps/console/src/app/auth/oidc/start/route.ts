import { engineClientFor } from '~/server/engineClient'
import { foreignRequestRefusal } from '~/server/browserRequest'
import { cookieHeader, OIDC_STATE_COOKIE, servedOverHttps } from '~/server/sessionCookie'
import { consoleOrigin, signInRefused } from '~/server/signInResponses'

export const dynamic = 'force-dynamic'

/**
 * "Sign in with …": the engine makes the authorization request (PKCE, state, nonce); the state
 * goes into a short-lived HttpOnly cookie, so only this browser can finish the sign-in.
 */
export async function POST(request: Request): Promise<Response> {
  const refusal = foreignRequestRefusal(request)
  if (refusal) return Response.json({ error: { message: refusal } }, { status: 403 })
  try {
    const { url, state } = await engineClientFor(request).auth.oidcStart.mutate({
      redirectUri: `${consoleOrigin(request)}/auth/oidc/callback`,
    })
    const headers = new Headers({ location: url, 'cache-control': 'no-store' })
    headers.append(
      'set-cookie',
      cookieHeader(OIDC_STATE_COOKIE, state, {
        secure: servedOverHttps(request),
        maxAgeSeconds: 600,
      }),
    )
    return new Response(null, { status: 303, headers })
  } catch (error) {
    return signInRefused(request, error, 'the engine could not be reached')
  }
}
