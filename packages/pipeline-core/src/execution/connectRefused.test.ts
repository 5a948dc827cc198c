import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { QueryPipeline } from '../pipeline/queryPipeline'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'

/*
 * A server that answers the connect with an error (here 53300: the role's CONNECTION LIMIT is 0,
 * the same SQLSTATE as "too many clients") must show up on the results as that SQLSTATE, not as
 * a generic connection loss, and still be retried as a transient error.
 */

let fx: PipelineFixture
const role = `sluice_full_${randomBytes(4).toString('hex')}`
let url: string

beforeAll(async () => {
  fx = await createPipelineFixture('connect_refused')
  await fx.schema.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD 'sluice' CONNECTION LIMIT 0`)
  const parsed = new URL(fx.schema.url)
  parsed.username = role
  parsed.password = 'sluice'
  url = parsed.toString()
})
afterAll(async () => {
  await fx.schema.pool.query(`DROP ROLE IF EXISTS ${role}`)
  await fx.dispose()
})

test.each(['best_effort', 'transactional', 'sequential', 'parallel'] as const)(
  '%s: a connect refused with 53300 keeps the SQLSTATE and is retried per the policy',
  async (strategy) => {
    const pipeline = new QueryPipeline({
      name: `refused-${strategy}`,
      connection: url,
      strategy,
      flushIntervalMs: 1,
      retry: { maxAttempts: 3, baseDelayMs: 1 },
    })
    try {
      const result = await pipeline.query('SELECT 1 AS one')
      expect(result).toMatchObject({
        status: 'failed',
        success: false,
        retryCount: 2,
        error: { code: '53300' },
      })
      expect(result.error?.message).toMatch(
        /^could not connect to PostgreSQL: too many connections for role/,
      )
    } finally {
      await pipeline.close()
    }
  },
)

test('a refused connect succeeds once the server takes connections again', async () => {
  const pipeline = new QueryPipeline({
    name: 'refused-then-open',
    connection: url,
    flushIntervalMs: 1,
    retry: { maxAttempts: 20, baseDelayMs: 20, maxDelayMs: 100 },
  })
  const pending = pipeline.query('SELECT 1 AS one')
  await new Promise((resolve) => setTimeout(resolve, 150))
  await fx.schema.pool.query(`ALTER ROLE ${role} CONNECTION LIMIT -1`)
  const result = await pending
  expect(result).toMatchObject({ status: 'succeeded', rows: [{ one: 1 }] })
  expect(result.retryCount).toBeGreaterThan(0)
  await pipeline.close()
  await fx.schema.pool.query(`ALTER ROLE ${role} CONNECTION LIMIT 0`)
})
