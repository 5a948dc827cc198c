import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import {
  fillSyntheticFailures,
  formatSearchTimings,
  timeFailureSearches,
} from '../bench/failureSearch'
import { migrate } from '../database/migrations'
import { createLogger } from '../logger'
import { FailedQueryStore } from './failedQueryStore'
import { ensureSearchIndexes } from './failureSearchIndexes'

/*
 * The failures search over a large store. The speed figures are printed (and recorded by
 * `npm run bench`), never asserted: this machine's speed is not the code's. What is asserted is
 * what a user sees: the right rows, the count said to be an estimate once it is one.
 * SLUICE_SEARCH_TEST_ROWS sets the size (default 1,000,000: about 45 s here).
 */
const rows = Number(process.env.SLUICE_SEARCH_TEST_ROWS ?? 1_000_000)
const databases: TestDatabase[] = []
afterAll(async () => {
  for (const db of databases) await db.drop()
})

describe('the failures search', () => {
  it(
    `answers each kind of search over ${rows.toLocaleString('en')} failures from its indexes`,
    { timeout: 300_000 },
    async () => {
      const db = await createTestDatabase('search_scale')
      databases.push(db)
      const log = createLogger('silent')
      await migrate(db.pool, log)
      await fillSyntheticFailures(db.pool, rows)
      expect(await ensureSearchIndexes(db.pool, log)).toBe(true)

      const timings = await timeFailureSearches(db.pool, rows)
      process.stdout.write(`\n${formatSearchTimings(rows, timings)}\n\n`)
      const byKind = new Map(timings.map((timing) => [timing.kind, timing]))
      expect(byKind.get('callback id')).toMatchObject({
        shown: 1,
        total: 1,
        totalIsEstimate: false,
      })
      // One customer in 100,000 rows: 10 per million (every tenth row is resolved, not this one).
      const customerRows = Math.floor(rows / 100_000)
      expect(byKind.get('parameters')?.shown).toBeGreaterThanOrEqual(Math.floor(customerRows * 0.9))
      expect(byKind.get('parameters')?.shown).toBeLessThanOrEqual(Math.max(1, customerRows))
      expect(byKind.get('error message')).toMatchObject({
        shown: 25,
        totalIsEstimate: rows > 4_000,
      })
      expect(byKind.get('text matching nothing')).toMatchObject({ shown: 0, total: 0 })

      // The plans read the indexes, not the whole table.
      const plan = await db.pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT * FROM sluice.failed_queries WHERE status = 'failed' AND params::text ILIKE '%customer-4242@%'
       ORDER BY last_failed_at DESC, id DESC LIMIT 26`,
      )
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(
        'failed_queries_params_trgm',
      )
    },
  )

  it('still migrates and searches where pg_trgm cannot be created, and says how to fix it', async () => {
    const db = await createTestDatabase('search_no_trgm')
    databases.push(db)
    // A role that owns the sluice schema but may not create extensions in the database.
    const role = `sluice_plain_${randomBytes(3).toString('hex')}`
    const password = randomBytes(12).toString('hex')
    await db.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`)
    // Its schema is made for it; without CREATE on the database it may not create an extension.
    await db.pool.query(`REVOKE CREATE ON DATABASE "${db.name}" FROM PUBLIC`)
    await db.pool.query(`CREATE SCHEMA sluice AUTHORIZATION ${role}`)
    const url = new URL(db.url)
    url.username = role
    url.password = password
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2 })
    pool.on('error', () => undefined)
    const lines: string[] = []
    const log = createLogger('warn', { write: (line: string) => lines.push(line) })
    try {
      await migrate(pool, log)
      expect(await ensureSearchIndexes(pool, log)).toBe(false)
      expect(lines.join('\n')).toContain('CREATE EXTENSION pg_trgm')
      await fillSyntheticFailures(pool, 2_000)
      const page = await new FailedQueryStore(pool).list(
        { status: 'any', params: 'customer-42@' },
        { limit: 25, offset: 0 },
      )
      expect(page.items.map((item) => item.params[1])).toEqual(['customer-42@example.com'])
    } finally {
      await pool.end()
      await db.pool.query(`DROP OWNED BY ${role}`).catch(() => undefined)
      await db.drop()
      databases.pop()
      const admin = new pg.Client({ connectionString: new URL('/postgres', db.url).toString() })
      await admin.connect()
      await admin.query(`DROP ROLE IF EXISTS ${role}`)
      await admin.end()
    }
  })
})
