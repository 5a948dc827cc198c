import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { AppHeader } from '~/components/AppHeader'
import { EngineBanner } from '~/features/engine/EngineBanner'
import { HydrateClient, prefetch, trpc } from '~/trpc/server'
import { TrpcProvider } from '~/trpc/TrpcProvider'
import './globals.css'

// Every page shows the engine's live state: rendered per request, never at build time.
export const dynamic = 'force-dynamic'

export const metadata: Metadata = {
  title: { default: 'Sluice console', template: '%s · Sluice' },
  description: 'Create and tune query pipelines, watch them live, retry failed queries.',
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Above the banner, which reads it first: hydrated later, the first HTML would not use it.
  await prefetch(trpc.health.get.queryOptions())
  return (
    <html lang="en">
      <body>
        <TrpcProvider>
          <HydrateClient>
            <AppHeader />
            <EngineBanner />
            <main className="main">{children}</main>
          </HydrateClient>
        </TrpcProvider>
      </body>
    </html>
  )
}
