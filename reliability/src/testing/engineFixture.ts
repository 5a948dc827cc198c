import { launchEngine, type EngineLaunch, type EngineProcess } from './engineProcess'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'

/** An engine process on a database of its own, restartable on that database. */
export interface EngineFixture {
  readonly db: TestDatabase
  /** The engine running now (a new one after `restart`). */
  readonly engine: EngineProcess
  /** Log lines of every engine this fixture ran, in order. */
  readonly allLogs: () => string[]
  /** Starts a new engine process on the same database and port (after a kill, say). */
  restart(): Promise<EngineProcess>
  /** Stops the engine (SIGTERM, then SIGKILL) and drops the database. */
  close(): Promise<void>
}

/**
 * Creates a scratch database on the test server and starts an engine on it.
 *
 * @example
 * const fixture = await startEngineFixture('crash')
 * await fixture.db.pool.query('CREATE TABLE events (key text)')
 * await fixture.engine.stop('SIGKILL')
 * await fixture.restart()
 * await fixture.close()
 */
export async function startEngineFixture(
  label: string,
  launch: Partial<EngineLaunch> = {},
): Promise<EngineFixture> {
  const db = await createTestDatabase(label)
  const env = { DATABASE_URL: db.url, ...launch.env }
  const previous: EngineProcess[] = []
  let engine: EngineProcess
  try {
    engine = await launchEngine({ ...launch, env })
  } catch (error) {
    await db.drop()
    throw error
  }
  return {
    db,
    get engine() {
      return engine
    },
    allLogs: () => [...previous, engine].flatMap((e) => e.logs),
    async restart() {
      await engine.stop('SIGKILL')
      previous.push(engine)
      engine = await launchEngine({ ...launch, env, port: engine.port })
      return engine
    },
    async close() {
      await engine.stop('SIGTERM', 10_000)
      await db.drop()
    },
  }
}
