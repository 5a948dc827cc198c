import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { AppHeader } from '~/components/AppHeader'
import { EngineBanner } from '~/features/engine/EngineBanner'
import { TrpcProvider } from '~/trpc/TrpcProvider'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'Sluice console', template: '%s · Sluice' },
  description: 'Create and tune query pipelines, watch them live, retry failed queries.',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TrpcProvider>
          <AppHeader />
          <EngineBanner />
          <main className="main">{children}</main>
        </TrpcProvider>
      </body>
    </html>
  )
}
