import type { Metadata, Viewport } from 'next'
import type { ReactNode } from 'react'
import { TrpcProvider } from '~/trpc/TrpcProvider'
import './globals.css'

// Every page shows the engine's live state: rendered per request, never at build time.
export const dynamic = 'force-dynamic'

export const metadata: Metadata = {
  title: { default: 'Sluice console', template: '%s · Sluice' },
  description: 'Create and tune query pipelines, watch them live, retry failed queries.',
}

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  colorScheme: 'light dark',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TrpcProvider>{children}</TrpcProvider>
      </body>
    </html>
  )
}
