import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'

/*
 * A trigger created after the optimizer looked the table up but before the merged INSERT ran
 * makes the statement report fewer rows than queries. The rows that were inserted are committed,
 * so the queries must end outcome-unknown (never a plain failure a caller would retry).
 */

let fx: PipelineFixture
beforeAll(async () => {
  fx = await createPipelineFixture('trigger_after_planning')
  await fx.schema.pool.query(`CREATE TABLE items (id int PRIMARY KEY);
    CREATE FUNCTION skip_odd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id % 2 = 1 THEN RETURN NULL; END IF; RETURN NEW; END $$`)
})
afterAll(async () => fx.dispose())

test('best_effort: a merged INSERT whose row count changed under it ends outcome-unknown', async () => {
  const ddl = await fx.schema.pool.connect()
  try {
    // The trigger exists but is not committed: planning does not see it, the INSERT waits on its lock.
    await ddl.query('BEGIN')
    await ddl.query(
      'CREATE TRIGGER skip BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION skip_odd()',
    )
    const pipeline = fx.open({
      strategy: 'best_effort',
      optimize: true,
      batchSize: 100,
      flushIntervalMs: 60_000,
      adaptiveBatchSize: false,
    })
    const accepted = [
      await pipeline.addQuery('INSERT INTO items (id) VALUES ($1)', [1]),
      await pipeline.addQuery('INSERT INTO items (id) VALUES ($1)', [2]),
    ]
    const flushed = pipeline.flush()
    for (let waited = 0; ; waited += 20) {
      const { rows } = await fx.schema.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'items'::regclass AND NOT granted",
      )
      if (rows[0]?.n === 1) break
      if (waited > 10_000) throw new Error('the merged INSERT never waited for the trigger lock')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await ddl.query('COMMIT')
    await flushed
    const results = await Promise.all(accepted.map((query) => query.result))
    for (const result of results) {
      expect(result.status).toBe('failed')
      expect(result.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', outcomeUnknown: true })
    }
    expect(await fx.rows('SELECT id FROM items')).toEqual([{ id: 2 }])
  } finally {
    ddl.release()
  }
})
