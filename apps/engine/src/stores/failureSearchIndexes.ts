import type pg from 'pg'
import type { Logger } from '../logger'

/** The trigram indexes of the failures search: name and indexed expression. */
const trigramIndexes = [
  ['failed_queries_sql_trgm', 'sql'],
  ['failed_queries_error_trgm', 'error_message'],
  ['failed_queries_params_trgm', '(params::text)'],
] as const

/**
 * Makes sure the failures search has its trigram (pg_trgm GIN) indexes over the SQL, the error
 * message and the parameters, so a search answers from them instead of reading every row. Runs
 * at every start, after the migrations: a server where pg_trgm could not be created at first
 * (the migration only warned) gets the indexes once an administrator has created it. Without it
 * search still works, by scanning, and the engine says so in its log. Answers whether the
 * indexes are there.
 *
 * @example
 * const indexed = await ensureSearchIndexes(pool, log)
 */
export async function ensureSearchIndexes(pool: pg.Pool, log: Logger): Promise<boolean> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // The migrations' lock: two engines starting on one database build the indexes once.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('sluice.migrations'))")
    const extension = await client.query<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
       WHERE e.extname = 'pg_trgm'`,
    )
    const schema = extension.rows[0]?.schema
    if (schema === undefined) {
      await client.query('COMMIT')
      log.warn(
        'pg_trgm is not installed in the engine database and the engine may not create it: the failures search reads every row ' +
          '(slow beyond ~100,000 failures). Fix: as a superuser run CREATE EXTENSION pg_trgm; in that database, then restart the engine.',
      )
      return false
    }
    const existing = await client.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'sluice' AND tablename = 'failed_queries'`,
    )
    const have = new Set(existing.rows.map((row) => row.indexname))
    const missing = trigramIndexes.filter(([name]) => !have.has(name))
    if (missing.length > 0) {
      log.info(
        { indexes: missing.map(([name]) => name) },
        'creating the failures search indexes (once)',
      )
      const opclass = `${quoteIdent(schema)}.gin_trgm_ops`
      for (const [name, expression] of missing) {
        await client.query(
          `CREATE INDEX IF NOT EXISTS ${name} ON sluice.failed_queries USING gin (${expression} ${opclass})`,
        )
      }
    }
    await client.query('COMMIT')
    return true
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`
