import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createPipelineFixture } from '../../testing/pipelineFixture'
import type { PipelineFixture } from '../../testing/pipelineFixture'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('best_effort')
  await fx.schema.pool.query(`
    CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL);
    CREATE SEQUENCE flaky_calls;
    CREATE FUNCTION flaky(failures int, code text) RETURNS int LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('flaky_calls') <= failures THEN
        RAISE EXCEPTION 'simulated transient failure' USING ERRCODE = code;
      END IF;
      RETURN 1;
    END $$;
  `)
})
beforeEach(async () => {
  await fx.schema.pool.query("TRUNCATE events; SELECT setval('flaky_calls', 1, false)")
})
afterAll(async () => fx.dispose())

const insert = 'INSERT INTO events (id, kind) VALUES ($1, $2)'

// optimize on: the batch commits once (fewer commits); off: every statement commits alone.
describe.each([true, false])('optimize %s', (optimize) => {
  test('failures touch only their own query; the rest commits', async () => {
    const pipeline = fx.open({
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10_000,
      optimize,
    })
    await pipeline.addQuery(insert, [1, 'a'])
    await pipeline.addQuery(insert, [1, 'duplicate'])
    await pipeline.addQuery(insert, [2, 'b'])
    await pipeline.addQuery('SELECT 1 / $1::int AS x', [0])
    await pipeline.addQuery(insert, [3, null])
    await pipeline.addQuery(insert, [4, 'd'])
    await pipeline.addQuery('SELECT count(*)::int AS n FROM events')
    const results = await pipeline.flush()
    expect(results.map((result) => result.status)).toEqual([
      'succeeded',
      'failed',
      'succeeded',
      'failed',
      'failed',
      'succeeded',
      'succeeded',
    ])
    expect(results.map((result) => result.error?.code)).toEqual([
      undefined,
      '23505',
      undefined,
      '22012',
      '23502',
      undefined,
      undefined,
    ])
    expect(results[1]?.error?.detail).toMatch(/Key \(id\)=\(1\) already exists/)
    // The read after the writes saw them, as it would have run alone after them.
    expect(results[6]?.rows).toEqual([{ n: 3 }])
    expect(await fx.rows('SELECT id FROM events ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 4 },
    ])
  })

  test.each(['40001', '40P01', '57P01'])('a transient %s is retried with backoff', async (code) => {
    const pipeline = fx.open({
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10_000,
      optimize,
      retry: { maxAttempts: 3, baseDelayMs: 5 },
    })
    await pipeline.addQuery(insert, [10, 'before'])
    await pipeline.addQuery('SELECT flaky($1, $2) AS ok', [2, code])
    await pipeline.addQuery(insert, [11, 'after'])
    const results = await pipeline.flush()
    expect(results.map((result) => result.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    expect(results[1]?.retryCount).toBe(2)
    expect(results[1]?.rows).toEqual([{ ok: 1 }])
    expect(await fx.rows('SELECT id FROM events ORDER BY id')).toEqual([{ id: 10 }, { id: 11 }])
  })

  test('a query that stays failing ends failed after retry.maxAttempts; a non-transient error is not retried', async () => {
    const pipeline = fx.open({
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 10_000,
      optimize,
      retry: { maxAttempts: 3, baseDelayMs: 1 },
    })
    await pipeline.addQuery('SELECT flaky($1, $2) AS ok', [100, '40P01'])
    await pipeline.addQuery('SELECT flaky($1, $2) AS ok', [100, '22012'])
    await pipeline.addQuery(insert, [12, 'ok'])
    const results = await pipeline.flush()
    expect(results.map((result) => [result.status, result.error?.code, result.retryCount])).toEqual(
      [
        ['failed', '40P01', 2],
        ['failed', '22012', 0],
        ['succeeded', undefined, 0],
      ],
    )
  })
})
