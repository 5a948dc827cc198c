import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'

/* A transactional group's own transaction mode: isolation, read only, deferrable. */

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('txmode')
  await fx.schema.pool.query('CREATE TABLE notes (id int PRIMARY KEY)')
})
afterAll(async () => fx.dispose())

const modeSql = {
  sql: `SELECT current_setting('transaction_isolation') AS isolation,
               current_setting('transaction_read_only') AS read_only,
               current_setting('transaction_deferrable') AS deferrable`,
}

test('a group runs in its own mode while the queries around it keep the default', async () => {
  const pipeline = fx.open({ strategy: 'transactional', batchSize: 50, flushIntervalMs: 60_000 })
  const before = await pipeline.addQuery(modeSql.sql)
  const group = await pipeline.addGroup([modeSql, { sql: 'SELECT 1 AS one' }], {
    transaction: { isolation: 'serializable', readOnly: true, deferrable: true },
  })
  const after = await pipeline.addQuery(modeSql.sql)
  await pipeline.flush()
  const [plain, moded, later] = await Promise.all([before.result, group[0]?.result, after.result])
  expect(moded?.rows).toEqual([{ isolation: 'serializable', read_only: 'on', deferrable: 'on' }])
  expect(plain.rows).toEqual([{ isolation: 'read committed', read_only: 'off', deferrable: 'off' }])
  expect(later.rows).toEqual(plain.rows)
  // Three batches: the moded group is never mixed with other queries.
  expect(new Set([plain.batchId, moded?.batchId, later.batchId]).size).toBe(3)
  await pipeline.close()
})

test('a read-only group cannot write: the write fails and the group rolls back', async () => {
  const pipeline = fx.open({ strategy: 'transactional', flushIntervalMs: 1 })
  const group = await pipeline.addGroup(
    [{ sql: 'SELECT 1' }, { sql: 'INSERT INTO notes (id) VALUES (1)' }],
    { transaction: { readOnly: true } },
  )
  const results = await Promise.all(group.map((query) => query.result))
  expect(results.map((result) => result.status)).toEqual(['rolled_back', 'failed'])
  expect(results[1]?.error?.code).toBe('25006')
  expect(await fx.count('SELECT count(*)::int AS count FROM notes')).toBe(0)
  await pipeline.close()
})

test('a transaction mode is refused outside a group or on another strategy', async () => {
  const transactional = fx.open({ strategy: 'transactional' })
  await expect(
    transactional.addQueries([{ sql: 'SELECT 1' }], { transaction: { isolation: 'serializable' } }),
  ).rejects.toThrow(/apply to a group \(group: true\) on a transactional pipeline/)
  const sequential = fx.open({ strategy: 'sequential' })
  await expect(
    sequential.addGroup([{ sql: 'SELECT 1' }], { transaction: { readOnly: true } }),
  ).rejects.toThrow(/pipeline '.*' is sequential/)
  await transactional.close()
  await sequential.close()
})
