import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { fetchQuery, trpc } from '~/trpc/server'

export const metadata: Metadata = { title: 'Sign in' }

interface PageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

/**
 * Sign in with a local user's password or with the OpenID Connect provider, whichever the engine
 * offers. Plain forms posting to the console's own routes: they work before any script loads.
 */
export default async function SignIn({ searchParams }: PageProps) {
  const search = await searchParams
  const error = typeof search.error === 'string' ? search.error : undefined
  const session = await fetchQuery(trpc.auth.session.queryOptions())
  if (session?.caller && session.signInRequired && !error) redirect('/')
  return (
    <main className="main">
      <section className="sign-in" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">
          <span className="brand-mark" aria-hidden="true">
            ≋
          </span>{' '}
          Sign in to Sluice
        </h1>
        {session === undefined ? (
          <p className="notice notice-error" role="alert">
            The Sluice engine cannot be reached. Try again in a moment.
          </p>
        ) : null}
        {error ? (
          <p className="notice notice-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        ) : null}
        {search.signedOut ? (
          <p className="notice notice-info" role="status">
            You are signed out.
          </p>
        ) : null}
        {session && !session.signInRequired ? (
          <p className="notice notice-info" role="status">
            Sign-in is off on this engine: {session.reason}. <Link href="/">Open the console</Link>
          </p>
        ) : null}
        <div className="panel">
          {session?.passwordSignIn !== false ? (
            <form
              method="post"
              action="/auth/sign-in"
              className="form"
              aria-label="Sign in with a password"
            >
              <div className="field">
                <label className="field-label" htmlFor="sign-in-user">
                  User name
                </label>
                <input
                  id="sign-in-user"
                  name="user"
                  className="input"
                  autoComplete="username"
                  required
                  autoFocus
                />
              </div>
              <div className="field">
                <label className="field-label" htmlFor="sign-in-password">
                  Password
                </label>
                <input
                  id="sign-in-password"
                  name="password"
                  type="password"
                  className="input"
                  autoComplete="current-password"
                  required
                />
              </div>
              <button type="submit" className="button button-primary">
                Sign in
              </button>
            </form>
          ) : null}
          {session?.oidc ? (
            <>
              {session.passwordSignIn ? <div className="divider">or</div> : null}
              <form method="post" action="/auth/oidc/start">
                <button type="submit" className="button">
                  Sign in with {session.oidc.label}
                </button>
              </form>
            </>
          ) : null}
          {session && session.signInRequired && !session.passwordSignIn && !session.oidc ? (
            <p className="field-hint">
              {session.reason}, but no user can sign in yet: add one with{' '}
              <code>npm run users -- add NAME --role admin</code>.
            </p>
          ) : null}
        </div>
      </section>
    </main>
  )
}
