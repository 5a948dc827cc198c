import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createPipelineFixture } from '../../testing/pipelineFixture'
import type { PipelineFixture } from '../../testing/pipelineFixture'
import type { BatchEvent } from '../../types'
import type { Strategy } from '@sluice/contract'

/*
 * Checks that PostgreSQL runs at the end of a statement (or that cannot see the statement's own
 * earlier rows) make one multi-row statement behave differently from its rows run one by one.
 * Each workload must give every query the same outcome with `optimize: true` as with `false`.
 */

let fx: PipelineFixture
let tableNumber = 0
beforeAll(async () => {
  fx = await createPipelineFixture('end_checks')
})
afterAll(async () => fx.dispose())

interface Workload {
  readonly ddl: (table: string) => string
  readonly queries: (table: string) => { sql: string; params: unknown[] }[]
  /** The outcome every query must have under best_effort. */
  readonly expected: string[]
}

const workloads: Record<string, Workload> = {
  'self-referencing foreign key, INSERT': {
    ddl: (t) => `CREATE TABLE ${t} (id int PRIMARY KEY, parent int REFERENCES ${t} (id))`,
    // The child before its parent must fail alone; a merged statement checks at its end.
    queries: (t) => [
      { sql: `INSERT INTO ${t} (id, parent) VALUES ($1, $2)`, params: [2, 1] },
      { sql: `INSERT INTO ${t} (id, parent) VALUES ($1, $2)`, params: [1, null] },
    ],
    expected: ['failed(23503)', 'succeeded'],
  },
  'self-referencing foreign key, upsert': {
    ddl: (t) => `CREATE TABLE ${t} (id int PRIMARY KEY, parent int REFERENCES ${t} (id))`,
    queries: (t) => [
      {
        sql: `INSERT INTO ${t} (id, parent) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
        params: [2, 1],
      },
      {
        sql: `INSERT INTO ${t} (id, parent) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
        params: [1, null],
      },
    ],
    expected: ['failed(23503)', 'succeeded'],
  },
  'CHECK calling a function that reads the table': {
    ddl: (t) => `CREATE TABLE ${t} (id int PRIMARY KEY);
      CREATE FUNCTION ${t}_count() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT count(*) FROM ${t}';
      ALTER TABLE ${t} ADD CHECK (${t}_count() < 1)`,
    // Alone, the second row's check sees the first row; inside one statement it would not.
    queries: (t) => [
      { sql: `INSERT INTO ${t} (id) VALUES ($1)`, params: [1] },
      { sql: `INSERT INTO ${t} (id) VALUES ($1)`, params: [2] },
    ],
    expected: ['succeeded', 'failed(23514)'],
  },
  'domain CHECK calling a function that reads the table': {
    ddl: (
      t,
    ) => `CREATE FUNCTION ${t}_count() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT 0::bigint';
      CREATE DOMAIN ${t}_id AS int CHECK (${t}_count() < 1);
      CREATE TABLE ${t} (id ${t}_id PRIMARY KEY);
      CREATE OR REPLACE FUNCTION ${t}_count() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT count(*) FROM ${t}'`,
    queries: (t) => [
      { sql: `INSERT INTO ${t} (id) VALUES ($1)`, params: [1] },
      { sql: `INSERT INTO ${t} (id) VALUES ($1)`, params: [2] },
    ],
    expected: ['succeeded', 'failed(23514)'],
  },
  'CHECK of a domain under a domain, calling a function that reads the table': {
    ddl: (
      t,
    ) => `CREATE FUNCTION ${t}_count() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT 0::bigint';
      CREATE DOMAIN ${t}_inner AS int CHECK (${t}_count() < 1);
      CREATE DOMAIN ${t}_outer AS ${t}_inner;
      CREATE TABLE ${t} (id int PRIMARY KEY, v ${t}_outer);
      CREATE OR REPLACE FUNCTION ${t}_count() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT count(*) FROM ${t}'`,
    queries: (t) => [
      { sql: `INSERT INTO ${t} (id, v) VALUES ($1, $2)`, params: [1, 1] },
      { sql: `INSERT INTO ${t} (id, v) VALUES ($1, $2)`, params: [2, 2] },
    ],
    expected: ['succeeded', 'failed(23514)'],
  },
  'array of a domain whose CHECK calls a function that reads the table': {
    ddl: (
      t,
    ) => `CREATE FUNCTION ${t}_count() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT 0::bigint';
      CREATE DOMAIN ${t}_tag AS text CHECK (${t}_count() < 1);
      CREATE TABLE ${t} (id int PRIMARY KEY, tags ${t}_tag[]);
      CREATE OR REPLACE FUNCTION ${t}_count() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT count(*) FROM ${t}'`,
    queries: (t) => [
      { sql: `INSERT INTO ${t} (id, tags) VALUES ($1, $2)`, params: [1, ['a']] },
      { sql: `INSERT INTO ${t} (id, tags) VALUES ($1, $2)`, params: [2, ['b']] },
    ],
    expected: ['succeeded', 'failed(23514)'],
  },
}

async function run(
  strategy: Strategy,
  optimize: boolean,
  workload: Workload,
): Promise<{ outcomes: string[]; rows: unknown[]; merged: number }> {
  tableNumber += 1
  const table = `t${String(tableNumber)}`
  await fx.schema.pool.query(workload.ddl(table))
  const pipeline = fx.open({
    strategy,
    optimize,
    batchSize: 100,
    flushIntervalMs: 60_000,
    maxConnections: 1,
    adaptiveBatchSize: false,
  })
  const batches: BatchEvent[] = []
  pipeline.on('batch', (event) => batches.push(event))
  for (const query of workload.queries(table)) await pipeline.addQuery(query.sql, query.params)
  const results = await pipeline.flush()
  await pipeline.close()
  return {
    outcomes: results.map((result) =>
      result.error?.code && result.status === 'failed'
        ? `failed(${result.error.code})`
        : result.status,
    ),
    rows: await fx.rows(`SELECT * FROM ${table} ORDER BY id`),
    merged: batches.reduce((sum, event) => sum + event.merged, 0),
  }
}

const strategies: Strategy[] = ['best_effort', 'parallel', 'sequential', 'transactional']

for (const [name, workload] of Object.entries(workloads)) {
  describe(name, () => {
    for (const strategy of strategies) {
      test(`${strategy}: the optimizer keeps each query's outcome`, async () => {
        const plain = await run(strategy, false, workload)
        const optimized = await run(strategy, true, workload)
        expect(optimized.merged).toBe(0)
        expect(optimized.outcomes).toEqual(plain.outcomes)
        expect(optimized.rows).toEqual(plain.rows)
        if (strategy === 'best_effort' || strategy === 'parallel')
          expect(optimized.outcomes).toEqual(workload.expected)
      })
    }
  })
}
