import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { PipelineError } from '../../errors'
import { createPipelineFixture } from '../../testing/pipelineFixture'
import type { PipelineFixture } from '../../testing/pipelineFixture'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('transactional')
  await fx.schema.pool.query(`
    CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0));
    CREATE TABLE parents (id int PRIMARY KEY);
    CREATE TABLE children (id int PRIMARY KEY, parent int REFERENCES parents DEFERRABLE INITIALLY DEFERRED);
    -- Fails with a serialization failure (40001) the first $1 times it runs: a sequence keeps
    -- counting across rollbacks.
    CREATE SEQUENCE flaky_calls;
    CREATE FUNCTION flaky(failures int) RETURNS int LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('flaky_calls') <= failures THEN
        RAISE EXCEPTION 'simulated serialization failure' USING ERRCODE = '40001';
      END IF;
      RETURN 1;
    END $$;
  `)
})
beforeEach(async () => {
  await fx.schema.pool.query(
    "TRUNCATE accounts, children, parents; SELECT setval('flaky_calls', 1, false)",
  )
  await fx.schema.pool.query('INSERT INTO accounts VALUES (1, 100), (2, 0)')
})
afterAll(async () => fx.dispose())

const move = 'UPDATE accounts SET balance = balance + $1 WHERE id = $2'

test('a batch commits as a whole', async () => {
  const pipeline = fx.open({ strategy: 'transactional', batchSize: 10, flushIntervalMs: 10_000 })
  await pipeline.addQuery(move, [-30, 1])
  await pipeline.addQuery(move, [30, 2])
  const results = await pipeline.flush()
  expect(results.map((result) => result.status)).toEqual(['succeeded', 'succeeded'])
  expect(await fx.rows('SELECT id, balance FROM accounts ORDER BY id')).toEqual([
    { id: 1, balance: 70 },
    { id: 2, balance: 30 },
  ])
})

test('any failure rolls the batch back: the failing query failed, the others rolled_back', async () => {
  const pipeline = fx.open({ strategy: 'transactional', batchSize: 10, flushIntervalMs: 10_000 })
  await pipeline.addQuery(move, [50, 2])
  await pipeline.addQuery(move, [-500, 1]) // violates the CHECK: 23514
  await pipeline.addQuery(move, [1, 2])
  const results = await pipeline.flush()
  expect(results.map((result) => result.status)).toEqual(['rolled_back', 'failed', 'rolled_back'])
  expect(results[1]?.error).toMatchObject({ code: '23514' })
  expect(results[1]?.error?.message).toMatch(/accounts_balance_check/)
  expect(results[0]?.error?.code).toBe('ROLLED_BACK')
  expect(results.every((result) => !result.success)).toBe(true)
  expect(await fx.rows('SELECT id, balance FROM accounts ORDER BY id')).toEqual([
    { id: 1, balance: 100 },
    { id: 2, balance: 0 },
  ])
})

test('a group is never split across batches and is atomic', async () => {
  const pipeline = fx.open({ strategy: 'transactional', batchSize: 4, flushIntervalMs: 10_000 })
  const singles = [
    await pipeline.addQuery(move, [1, 2]),
    await pipeline.addQuery(move, [1, 2]),
    await pipeline.addQuery(move, [1, 2]),
  ]
  // Would straddle the 4-query boundary: it goes whole into the next batch.
  const group = await pipeline.addGroup([
    { sql: move, params: [-10, 1] },
    { sql: move, params: [10, 2] },
    { sql: move, params: [-1000, 1], callbackId: 'overdraft' },
  ])
  await pipeline.flush()
  const singleResults = await Promise.all(singles.map((query) => query.result))
  const groupResults = await Promise.all(group.map((query) => query.result))
  expect(new Set(singleResults.map((result) => result.batchId)).size).toBe(1)
  expect(new Set(groupResults.map((result) => result.batchId)).size).toBe(1)
  expect(groupResults[0]?.batchId).not.toBe(singleResults[0]?.batchId)
  expect(singleResults.every((result) => result.success)).toBe(true)
  expect(groupResults.map((result) => result.status)).toEqual([
    'rolled_back',
    'rolled_back',
    'failed',
  ])
  expect(groupResults[2]?.callbackId).toBe('overdraft')
  expect(await fx.rows('SELECT id, balance FROM accounts ORDER BY id')).toEqual([
    { id: 1, balance: 100 },
    { id: 2, balance: 3 },
  ])
})

test('a group larger than batchSize is a clear error', async () => {
  const pipeline = fx.open({ strategy: 'transactional', batchSize: 2 })
  const error = await pipeline
    .addGroup([{ sql: 'SELECT 1' }, { sql: 'SELECT 2' }, { sql: 'SELECT 3' }])
    .catch((reason: unknown) => reason)
  expect(error).toBeInstanceOf(PipelineError)
  expect((error as PipelineError).code).toBe('GROUP_TOO_LARGE')
})

test('serialization failures retry the whole batch with backoff', async () => {
  const pipeline = fx.open({
    strategy: 'transactional',
    batchSize: 10,
    flushIntervalMs: 10_000,
    retry: { maxAttempts: 4, baseDelayMs: 5 },
  })
  await pipeline.addQuery(move, [5, 2])
  await pipeline.addQuery('SELECT flaky($1) AS ok', [2])
  const results = await pipeline.flush()
  expect(results.map((result) => result.status)).toEqual(['succeeded', 'succeeded'])
  expect(results.map((result) => result.retryCount)).toEqual([2, 2])
  // Applied once, not once per attempt.
  expect(await fx.rows('SELECT balance FROM accounts WHERE id = 2')).toEqual([{ balance: 5 }])
})

test('retries stop at retry.maxAttempts', async () => {
  const pipeline = fx.open({
    strategy: 'transactional',
    batchSize: 10,
    flushIntervalMs: 10_000,
    retry: { maxAttempts: 2, baseDelayMs: 1 },
  })
  await pipeline.addQuery('SELECT flaky($1) AS ok', [5])
  await pipeline.addQuery(move, [5, 2])
  const results = await pipeline.flush()
  expect(results.map((result) => result.status)).toEqual(['failed', 'rolled_back'])
  expect(results[0]?.error?.code).toBe('40001')
  expect(results[0]?.retryCount).toBe(1)
})

test('a deferred constraint failing at COMMIT fails every query of the batch', async () => {
  const pipeline = fx.open({ strategy: 'transactional', batchSize: 10, flushIntervalMs: 10_000 })
  await pipeline.addQuery('INSERT INTO parents VALUES ($1)', [1])
  await pipeline.addQuery('INSERT INTO children VALUES ($1, $2)', [1, 999])
  const results = await pipeline.flush()
  expect(results.map((result) => result.status)).toEqual(['failed', 'failed'])
  expect(results[1]?.error?.code).toBe('23503')
  expect(results[1]?.error?.message).toMatch(/COMMIT failed/)
  expect(await fx.rows('SELECT * FROM parents')).toEqual([])
})
