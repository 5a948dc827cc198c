/*
 * `npm run bench:search -w @sluice/engine -- <database-url> [rows]`: migrates an empty database,
 * fills it with synthetic failures and prints the search timings (a table on stderr, JSON as the
 * last stdout line, for `npm run bench`).
 */
import pg from 'pg'
import { migrate } from '../database/migrations'
import { createLogger } from '../logger'
import { ensureSearchIndexes } from '../stores/failureSearchIndexes'
import { fillSyntheticFailures, formatSearchTimings, timeFailureSearches } from './failureSearch'

const [databaseUrl, rowsArg] = process.argv.slice(2)
if (!databaseUrl) throw new Error('usage: failureSearchMain <database-url> [rows]')
const rows = Number(rowsArg ?? 1_000_000)
const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 })
const log = createLogger('warn')
try {
  await migrate(pool, log)
  const started = performance.now()
  // Filled first, then indexed, as when an engine upgrades onto a store that already holds
  // failures: building a trigram index once is far quicker than growing it row by row.
  await fillSyntheticFailures(pool, rows)
  const indexed = await ensureSearchIndexes(pool, log)
  const fillSeconds = Math.round((performance.now() - started) / 100) / 10
  const timings = await timeFailureSearches(pool, rows)
  process.stderr.write(
    `${formatSearchTimings(rows, timings)}\n(filled in ${fillSeconds} s, trigram indexes: ${indexed})\n`,
  )
  process.stdout.write(`${JSON.stringify({ rows, indexed, fillSeconds, timings })}\n`)
} finally {
  await pool.end()
}
