import type { NextConfig } from 'next'

const config: NextConfig = {
  // Workspace packages ship TypeScript source (just-in-time packages); the engine is imported
  // for its router's type only, which leaves nothing to bundle.
  transpilePackages: ['@sluice/contract', '@sluice/request-origin'],
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
  // Server output stays self-contained in .next; lint and typecheck run as their own tasks.
  typescript: { ignoreBuildErrors: false },
}

export default config
