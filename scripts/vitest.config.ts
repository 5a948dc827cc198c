import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['@sluice/test-database/global-setup'],
    include: ['tests/**/*.test.ts'],
    // Each test runs whole `npm start`s (engine, embedded PostgreSQL, console): one at a time.
    fileParallelism: false,
    testTimeout: 150_000,
    hookTimeout: 150_000,
  },
})
