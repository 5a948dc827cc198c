import { randomBytes } from 'node:crypto'
import { testDatabaseUrl } from '@sluice/test-database'
import pg from 'pg'

/** A database of one test's own on the shared server (an engine's `sluice` schema lives there). */
export interface ScratchDatabase {
  readonly name: string
  readonly url: string
  readonly pool: pg.Pool
  drop(): Promise<void>
}

/**
 * Creates a fresh database on the test server, so an engine's own schema and tables never meet
 * another test's. The server itself is never stopped or restarted.
 *
 * @example
 * const db = await createScratchDatabase('crash')
 * // launchEngine({ env: { DATABASE_URL: db.url } })
 * await db.drop()
 */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const serverUrl = testDatabaseUrl()
  const name = `rel_${label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    // CREATE DATABASE fails while another session is connected to the template: try again.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await admin.query(`CREATE DATABASE "${name}"`)
        break
      } catch (error) {
        if (attempt >= 5 || !/being accessed by other users/.test(String(error))) throw error
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt))
      }
    }
  } finally {
    await admin.end()
  }
  const parsed = new URL(serverUrl)
  parsed.pathname = `/${name}`
  const url = parsed.toString()
  const pool = new pg.Pool({ connectionString: url, max: 3 })
  pool.on('error', () => undefined)
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end()
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}
