'use client'

import { useCaller } from './useCaller'

/**
 * Says so while sign-in is off (engine on loopback, no users, no OpenID Connect): whoever can
 * open this page may do everything.
 */
export function SignInOffBanner() {
  const { session } = useCaller()
  if (!session || session.signInRequired) return null
  return (
    <div className="banner banner-warning" role="status" data-testid="sign-in-off">
      Sign-in is off: anyone who can open this console on this machine can operate the engine. Add a
      user with <code>npm run users -- add NAME --role admin</code> to require it.
    </div>
  )
}
