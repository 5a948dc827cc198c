import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { testDatabaseUrl } from './testSchema'

/** A database of one test's own on the test server, dropped by `drop()`. */
export interface TestDatabase {
  readonly name: string
  readonly url: string
  /** A small pool on `url` for the test's own set-up and checks. */
  readonly pool: pg.Pool
  drop(): Promise<void>
}

// CREATE DATABASE copies template1 and fails while another session is connected to it.
const objectInUse = '55006'

/**
 * Creates a fresh database on the test server, for tests whose subject owns a schema of its own
 * (an engine's `sluice` schema, say) so that it never meets another test's. `serverUrl` defaults
 * to the server the vitest global set-up found; pass one where there is no vitest (Playwright).
 *
 * @example
 * const db = await createTestDatabase('crash')
 * // start an engine with DATABASE_URL = db.url
 * await db.drop()
 */
export async function createTestDatabase(
  label: string,
  serverUrl = testDatabaseUrl(),
): Promise<TestDatabase> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30)
  const name = `${safeLabel}_${randomBytes(4).toString('hex')}`
  await onServer(serverUrl, async (admin) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await admin.query(`CREATE DATABASE "${name}"`)
        return
      } catch (error) {
        if (attempt >= 5 || (error as { code?: string }).code !== objectInUse) throw error
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
      }
    }
  })
  const parsed = new URL(serverUrl)
  parsed.pathname = `/${name}`
  const url = parsed.toString()
  const pool = new pg.Pool({ connectionString: url, max: 3 })
  // A test that terminates backends on purpose must not crash the runner through this pool.
  pool.on('error', () => undefined)
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end()
      await onServer(serverUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      )
    },
  }
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
