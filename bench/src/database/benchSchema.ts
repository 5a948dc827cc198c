import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { pgConfig, targetFromUrl } from './benchTarget'
import type { BenchTarget } from './benchTarget'

/** A schema of one workload's own, with a direct pool for untimed set-up and checks. */
export interface BenchSchema {
  readonly target: BenchTarget
  /** Direct connections (never through the delay proxy), search_path set. */
  readonly pool: pg.Pool
  drop(): Promise<void>
}

/**
 * Creates a fresh schema for a workload on the server at `serverUrl`; `drop()` removes it.
 *
 * @example
 * const schema = await createBenchSchema(url, 'bulk_insert')
 * await schema.pool.query('CREATE TABLE t (id int)')
 * await schema.drop()
 */
export async function createBenchSchema(serverUrl: string, label: string): Promise<BenchSchema> {
  const name = `bench_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE SCHEMA "${name}"`)
  } finally {
    await admin.end()
  }
  const target = targetFromUrl(serverUrl, name)
  const pool = new pg.Pool({ ...pgConfig(target), max: 2 })
  return {
    target,
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
