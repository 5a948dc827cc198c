import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '~': fileURLToPath(new URL('./src', import.meta.url)) } },
  // Server modules run as Next.js runs them, under the react-server condition (where
  // `server-only` is an empty module rather than a throw).
  ssr: { resolve: { conditions: ['react-server'] } },
  test: { include: ['src/**/*.test.ts'] },
})
