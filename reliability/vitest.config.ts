import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['@sluice/test-database/global-setup'],
    // Fault tests start servers and engines as child processes: separate processes keep their
    // exit hooks and signals apart. Two at a time: CI has two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 90_000,
    include: ['src/**/*.test.ts'],
  },
})
