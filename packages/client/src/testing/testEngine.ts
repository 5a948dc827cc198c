import { createEngine, type Engine } from '@sluice/engine'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { pino } from 'pino'

/** A real engine on a database of its own, guarded by a token, for the client's tests. */
export interface TestEngine {
  readonly engine: Engine
  readonly db: TestDatabase
  /** The engine's (admin) bearer token. */
  readonly token: string
  /** Creates (or replaces) a pipeline over the engine's HTTP API. */
  putPipeline(name: string, config: Record<string, unknown>): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts an engine on a fresh database, quiet unless SLUICE_TEST_LOG names a level.
 *
 * @example
 * const test = await startTestEngine('client')
 * await test.putPipeline('orders', { batchSize: 10, flushIntervalMs: 5 })
 * await test.stop()
 */
export async function startTestEngine(label: string): Promise<TestEngine> {
  const db = await createTestDatabase(label)
  const token = `client-test-${label}`
  const engine = await createEngine({
    port: 0,
    databaseUrl: db.url,
    apiToken: token,
    logger: pino({ level: process.env.SLUICE_TEST_LOG ?? 'silent' }),
  })
  return {
    engine,
    db,
    token,
    async putPipeline(name, config) {
      const response = await fetch(`${engine.url}/v1/pipelines/${name}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(config),
      })
      if (!response.ok) throw new Error(`PUT pipeline ${name}: ${await response.text()}`)
    },
    async stop() {
      await engine.stop()
      await db.drop()
    },
  }
}
