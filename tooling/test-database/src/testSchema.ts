import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import './providedContext'

/** A schema of a test's own, on the test server, dropped by `drop()`. */
export interface TestSchema {
  /** The schema's name, unique per call. */
  readonly name: string
  /** A connection string whose sessions have `search_path` set to this schema. */
  readonly url: string
  /** The server's URL, with no search_path set. */
  readonly serverUrl: string
  /** A pool on `url` for the test's own set-up and checks. */
  readonly pool: pg.Pool
  /** Drops the schema and everything in it, and ends the pool. */
  drop(): Promise<void>
}

/** The URL of the server the current test run uses (from the global set-up). */
export function testDatabaseUrl(): string {
  return inject('testDatabaseUrl')
}

/**
 * Creates a schema for one test (or one file) so tests can run in parallel without touching
 * each other's tables. `serverUrl` defaults to the server the vitest global set-up found; pass
 * one where there is no vitest (the benchmarks).
 *
 * @example
 * const schema = await createTestSchema('inserts')
 * await schema.pool.query('CREATE TABLE t (id int primary key)')
 * // ... pipeline = new QueryPipeline({ name: 'x', connection: schema.url })
 * await schema.drop()
 */
export async function createTestSchema(
  label = 't',
  serverUrl = testDatabaseUrl(),
): Promise<TestSchema> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30)
  const name = `test_${safeLabel}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE SCHEMA "${name}"`)
  } finally {
    await admin.end()
  }
  const url = withSearchPath(serverUrl, name)
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  return {
    name,
    url,
    serverUrl,
    pool,
    async drop() {
      await pool.end()
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}

/** Returns `url` with `search_path` set for every session opened through it. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('options', `-c search_path=${schema}`)
  return parsed.toString()
}
