import { unservedHostRefusal } from '~/server/browserRequest'
import { engineClientFor } from '~/server/engineClient'
import { OIDC_STATE_COOKIE, readCookie } from '~/server/sessionCookie'
import { consoleOrigin, signedIn, signInRefused } from '~/server/signInResponses'

export const dynamic = 'force-dynamic'

/**
 * Where the provider sends the browser back. The state must be the one this browser's cookie
 * holds (a callback planted from elsewhere is refused); the engine exchanges the code, checks
 * the ID token and the role claim, and opens a session.
 */
export async function GET(request: Request): Promise<Response> {
  const refusal = unservedHostRefusal(request)
  if (refusal) return Response.json({ error: { message: refusal } }, { status: 403 })
  const incoming = new URL(request.url)
  const state = incoming.searchParams.get('state') ?? ''
  const expected = readCookie(request.headers.get('cookie'), OIDC_STATE_COOKIE)
  const providerError =
    incoming.searchParams.get('error_description') ?? incoming.searchParams.get('error')
  if (providerError)
    return signInRefused(request, undefined, `the provider refused: ${providerError}`)
  if (!expected || state !== expected) {
    return signInRefused(
      request,
      undefined,
      'this sign-in was not started in this browser: start again',
    )
  }
  // The URL as the browser addressed it (the provider redirected to exactly this).
  const callbackUrl = `${consoleOrigin(request)}${incoming.pathname}${incoming.search}`
  try {
    const result = await engineClientFor(request).auth.oidcFinish.mutate({ callbackUrl, state })
    return signedIn(request, result)
  } catch (error) {
    return signInRefused(request, error, 'the engine could not be reached')
  }
}
