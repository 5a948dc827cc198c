import { redirect } from 'next/navigation'
import type { ReactNode } from 'react'
import { AppHeader } from '~/components/AppHeader'
import { KeyboardShortcuts } from '~/components/KeyboardShortcuts'
import { EngineBanner } from '~/features/engine/EngineBanner'
import { SignInOffBanner } from '~/features/auth/SignInOffBanner'
import { fetchQuery, HydrateClient, prefetch, trpc } from '~/trpc/server'

/**
 * The console's pages: signed in (or sign-in off), with the header, the engine banner and the
 * keyboard shortcuts. Who may do what is the engine's answer (`auth.session`); without a session
 * where one is required the browser goes to the sign-in page.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await fetchQuery(trpc.auth.session.queryOptions())
  if (session?.signInRequired && session.caller === null) redirect('/sign-in')
  // Above the banner, which reads it first: hydrated later, the first HTML would not use it.
  await prefetch(trpc.health.get.queryOptions())
  return (
    <HydrateClient>
      <AppHeader />
      <EngineBanner />
      <SignInOffBanner />
      <KeyboardShortcuts />
      <main className="main">{children}</main>
    </HydrateClient>
  )
}
