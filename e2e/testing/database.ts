import pg from 'pg'
import { runDatabaseUrl } from './e2eRun'

/**
 * A connection to the run's database, where the tests make tables and "fix the cause" of a
 * failure the way an operator would, with SQL.
 *
 * @example
 * const db = openDatabase()
 * await db.query('CREATE TABLE t (id int primary key)')
 * await db.end()
 */
export function openDatabase(): pg.Pool {
  return new pg.Pool({ connectionString: runDatabaseUrl(), max: 2 })
}
