import { foreignRequestRefusal } from '~/server/browserRequest'
import { engineClientFor } from '~/server/engineClient'
import { cookieHeader, servedOverHttps, SESSION_COOKIE } from '~/server/sessionCookie'
import { redirectTo } from '~/server/signInResponses'

export const dynamic = 'force-dynamic'

/** Ends the session at the engine and clears the cookie. */
export async function POST(request: Request): Promise<Response> {
  const refusal = foreignRequestRefusal(request)
  if (refusal) return Response.json({ error: { message: refusal } }, { status: 403 })
  await engineClientFor(request)
    .auth.signOut.mutate()
    .catch(() => undefined)
  return redirectTo(request, '/sign-in?signedOut=1', [
    cookieHeader(SESSION_COOKIE, '', { secure: servedOverHttps(request), maxAgeSeconds: 0 }),
  ])
}
