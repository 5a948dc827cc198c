import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { QueryPipeline } from '../../pipeline/queryPipeline'
import { createPipelineFixture } from '../../testing/pipelineFixture'
import type { PipelineFixture } from '../../testing/pipelineFixture'
import type { BatchEvent } from '../../types'

/*
 * The catalog lookup before a merged batch is a prepared statement on each connection. Its
 * answers must still be read afresh (DDL between batches is seen), and a prepared statement the
 * server forgot (DISCARD ALL / DEALLOCATE on a shared pool) must not cost the batch its merge.
 */

let fx: PipelineFixture
let pool: pg.Pool
beforeAll(async () => {
  fx = await createPipelineFixture('table_catalog')
  // One connection, shared with the test: what it does to the session, the pipeline sees.
  pool = new pg.Pool({ connectionString: fx.schema.url, max: 1 })
})
afterAll(async () => {
  await pool.end()
  await fx.dispose()
})

const insert = (table: string) => `INSERT INTO ${table} (id) VALUES ($1)`

async function runBatch(
  pipeline: QueryPipeline,
  table: string,
  first: number,
): Promise<BatchEvent> {
  const events: BatchEvent[] = []
  const listener = (event: BatchEvent): void => {
    events.push(event)
  }
  pipeline.on('batch', listener)
  const accepted = await pipeline.addGroup(
    [0, 1, 2].map((i) => ({ sql: insert(table), params: [first + i] })),
  )
  await pipeline.flush()
  const results = await Promise.all(accepted.map((query) => query.result))
  pipeline.off('batch', listener)
  expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
  const [event] = events
  if (!event) throw new Error('no batch event')
  return event
}

test('DDL between two batches is seen: a trigger added after the first stops the second merge', async () => {
  await fx.schema.pool.query('CREATE TABLE watched (id int PRIMARY KEY)')
  await fx.schema.pool.query('CREATE TABLE audit (id int)')
  const pipeline = new QueryPipeline({ name: 'ddl', connection: pool, flushIntervalMs: 60_000 })
  try {
    expect((await runBatch(pipeline, 'watched', 1)).merged).toBe(3)
    await pool.query(`CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN INSERT INTO audit VALUES (NEW.id); RETURN NEW; END $$`)
    await pool.query(
      'CREATE TRIGGER audited AFTER INSERT ON watched FOR EACH ROW EXECUTE FUNCTION audit_row()',
    )
    expect((await runBatch(pipeline, 'watched', 4)).merged).toBe(0)
    expect(await fx.count('SELECT count(*)::int AS count FROM audit')).toBe(3)
  } finally {
    await pipeline.close()
  }
})

test('a prepared catalog query the server forgot is run unprepared, and the batch still merges', async () => {
  await fx.schema.pool.query('CREATE TABLE plain (id int PRIMARY KEY)')
  const pipeline = new QueryPipeline({ name: 'forgot', connection: pool, flushIntervalMs: 60_000 })
  try {
    expect((await runBatch(pipeline, 'plain', 1)).merged).toBe(3)
    const prepared = await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements')
    expect(prepared.rows.map((row) => row.name)).toContain('sluice_table_catalog_v2')
    await pool.query('DEALLOCATE ALL')
    expect((await runBatch(pipeline, 'plain', 4)).merged).toBe(3)
    expect((await runBatch(pipeline, 'plain', 7)).merged).toBe(3)
    expect(await fx.count('SELECT count(*)::int AS count FROM plain')).toBe(9)
  } finally {
    await pipeline.close()
  }
})
