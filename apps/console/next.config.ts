import type { NextConfig } from 'next'

const config: NextConfig = {
  // The engine and its libraries ship TypeScript source (just-in-time packages).
  transpilePackages: ['@sluice/engine', '@sluice/pipeline-core', '@sluice/request-origin'],
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
  // Server output stays self-contained in .next; lint and typecheck run as their own tasks.
  typescript: { ignoreBuildErrors: false },
}

export default config
