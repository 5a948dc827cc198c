import type { TestProject } from 'vitest/node'
import './providedContext'
import { resolveTestServer } from './resolveServer'

/**
 * Vitest global set-up: finds or starts PostgreSQL once per test run and hands its URL to
 * every test file through `inject('testDatabaseUrl')`.
 *
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['@sluice/test-database/global-setup'] } })
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await resolveTestServer()
  project.provide('testDatabaseUrl', server.url)
  // Child processes a test starts (an engine, say) find the same server.
  process.env.TEST_DATABASE_URL = server.url
  return () => server.stop()
}
