import { engineClientFor } from '~/server/engineClient'
import { foreignRequestRefusal } from '~/server/browserRequest'
import { localPath, signedIn, signInRefused } from '~/server/signInResponses'

export const dynamic = 'force-dynamic'

/**
 * The sign-in form posts here: the engine checks the password (and its rate limits) and opens a
 * session, whose id goes into an HttpOnly cookie. The browser never sees the engine's token.
 */
export async function POST(request: Request): Promise<Response> {
  const refusal = foreignRequestRefusal(request)
  if (refusal) return Response.json({ error: { message: refusal } }, { status: 403 })
  const form = await request.formData()
  const user = form.get('user')
  const password = form.get('password')
  if (typeof user !== 'string' || typeof password !== 'string' || user === '' || password === '') {
    return signInRefused(request, undefined, 'enter your user name and password')
  }
  try {
    const result = await engineClientFor(request).auth.signIn.mutate({ user, password })
    return signedIn(request, result, localPath(form.get('next')))
  } catch (error) {
    return signInRefused(request, error, 'the engine could not be reached')
  }
}
