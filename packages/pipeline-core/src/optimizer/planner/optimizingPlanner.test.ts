import type { TestSchema } from '@sluice/test-database'
import { createTestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchQuery } from '../../plan/plan'
import type { Strategy } from '@sluice/contract'
import { batch, poolContext, runOneByOne, runPlan, sortedRows } from '../../testing/planRunner'
import { createOptimizingPlanner } from './optimizingPlanner'

const planner = createOptimizingPlanner()
let reference: TestSchema
let optimized: TestSchema

beforeAll(async () => {
  ;[reference, optimized] = await Promise.all([
    createTestSchema('plan_ref'),
    createTestSchema('plan_opt'),
  ])
})
afterAll(async () => {
  await Promise.all([reference.drop(), optimized.drop()])
})

async function both(sql: string): Promise<void> {
  await reference.pool.query(sql)
  await optimized.pool.query(sql)
}

async function tableRows(schema: TestSchema, table: string): Promise<unknown[]> {
  return (await schema.pool.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY 1`))
    .rows
}

/** Plans and runs `queries` on one schema, runs them one by one on the other, and compares. */
async function compare(
  queries: BatchQuery[],
  strategy: Strategy = 'best_effort',
  tables: string[] = [],
) {
  const plan = await planner.plan(queries, poolContext(optimized.pool, strategy))
  const expected = await runOneByOne(reference.pool, queries)
  const actual = await runPlan(optimized.pool, plan, queries.length)
  expect(sortedRows(actual)).toEqual(sortedRows(expected))
  for (const table of tables)
    expect(await tableRows(optimized, table)).toEqual(await tableRows(reference, table))
  // Every query is answered by exactly one statement.
  expect(plan.statements.flatMap((s) => s.queryIndexes).sort((a, b) => a - b)).toEqual(
    queries.map((q) => q.index),
  )
  return { plan, actual }
}

describe('insert merging', () => {
  beforeAll(() =>
    both('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int DEFAULT 7)'),
  )

  it('merges consecutive single-row INSERTs of one text into one multi-row INSERT', async () => {
    const sql = 'INSERT INTO items (id, name) VALUES ($1, $2)'
    const { plan, actual } = await compare(
      batch([1, 2, 3, 4, 5].map((id) => [sql, [id, `n${id}`]])),
      'best_effort',
      ['items'],
    )
    expect(plan.statements).toHaveLength(1)
    expect(plan.statements[0]?.kind).toBe('merged_insert')
    expect(plan.statements[0]?.text).toBe(
      'INSERT INTO items (id, name) VALUES ($1, $2), ($3, $4), ($5, $6), ($7, $8), ($9, $10)',
    )
    expect(plan.merged).toBe(5)
    expect(actual.map((o) => o.rowCount)).toEqual([1, 1, 1, 1, 1])
  })

  it('hands each query its own RETURNING row, defaults and comments included', async () => {
    const sql =
      'INSERT INTO items (id, name, qty) /* ( */ VALUES ($2, $1, DEFAULT) RETURNING id, name, qty; -- done'
    const { plan, actual } = await compare(
      batch([10, 11, 12].map((id) => [sql, [`x${id}`, id]])),
      'sequential',
      ['items'],
    )
    expect(plan.statements.map((s) => s.kind)).toEqual(['merged_insert'])
    expect(actual.map((o) => o.rows)).toEqual(
      [10, 11, 12].map((id) => [{ id, name: `x${id}`, qty: 7 }]),
    )
  })

  it('bisects a failing merged INSERT so only the guilty query fails', async () => {
    const sql = 'INSERT INTO items (id, name) VALUES ($1, $2)'
    const queries = batch([20, 21, 1, 22, 23, 24].map((id) => [sql, [id, 'dup?']]))
    const { actual } = await compare(queries, 'best_effort', ['items'])
    expect(actual.map((o) => o.status)).toEqual([
      'succeeded',
      'succeeded',
      'failed',
      'succeeded',
      'succeeded',
      'succeeded',
    ])
    expect(actual[2]?.code).toBe('23505')
  })

  it('merges ON CONFLICT (key) DO NOTHING with the right rowCount per query', async () => {
    const sql = 'INSERT INTO items (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING'
    const { plan, actual } = await compare(
      batch([30, 1, 31, 2].map((id) => [sql, [id, 'c']])),
      'best_effort',
      ['items'],
    )
    expect(plan.statements.map((s) => s.kind)).toEqual(['merged_insert'])
    expect(actual.map((o) => o.rowCount)).toEqual([1, 0, 1, 0])
  })

  it('merges DO UPDATE upserts, cuts runs at repeated keys, and bisects failures', async () => {
    const sql =
      "INSERT INTO items (id, name, qty) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET qty = EXCLUDED.qty, name = 'up' WHERE items.qty < EXCLUDED.qty"
    const rows = [
      [32, 'a', 1],
      [1, 'b', 100],
      [2, 'c', 0],
      [32, 'd', 5],
      [33, null, 1],
      [34, 'e', 2],
    ]
    const { plan, actual } = await compare(batch(rows.map((p) => [sql, p])), 'best_effort', [
      'items',
    ])
    // Key 32 repeats: the second proposal starts a new statement, after the first committed.
    expect(plan.statements.map((s) => s.queryIndexes)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ])
    expect(actual.map((o) => o.rowCount)).toEqual([1, 1, 0, 1, 0, 1])
    expect(actual[4]?.code).toBe('23502')
  })

  it('does not merge ON CONFLICT with RETURNING, subqueries or without a key', async () => {
    for (const sql of [
      'INSERT INTO items (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id',
      'INSERT INTO items (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      'INSERT INTO items (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET qty = (SELECT max(qty) FROM items) + 1',
      'INSERT INTO items (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id + 100',
    ]) {
      const { plan } = await compare(batch([40, 41].map((id) => [sql, [id, 'z']])), 'best_effort', [
        'items',
      ])
      expect(plan.merged, sql).toBe(0)
      expect(plan.notes.join('\n'), sql).toContain('runs on its own')
    }
  })

  it('does not merge into a table with a trigger', async () => {
    await both(`CREATE TABLE audited (id int PRIMARY KEY);
      CREATE FUNCTION skip_odd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id % 2 = 1 THEN RETURN NULL; END IF; RETURN NEW; END $$;
      CREATE TRIGGER t BEFORE INSERT ON audited FOR EACH ROW EXECUTE FUNCTION skip_odd()`)
    const sql = 'INSERT INTO audited (id) VALUES ($1) RETURNING id'
    const { plan, actual } = await compare(
      batch([1, 2, 3, 4].map((id) => [sql, [id]])),
      'best_effort',
      ['audited'],
    )
    expect(plan.merged).toBe(0)
    expect(actual.map((o) => o.rowCount)).toEqual([0, 1, 0, 1])
  })

  it('sends long runs as INSERT ... SELECT FROM unnest, one array per column', async () => {
    await both('CREATE TABLE wide (a int, b text, c numeric(6,2), d varchar(3))')
    const sql = 'INSERT INTO wide (d, a, b, c) VALUES ($4, $1, $2, $3)'
    const queries = batch(
      Array.from(
        { length: 30_000 },
        (_, i) => [sql, [i, `b${String(i)}`, i / 1000, 'xyz']] as const,
      ),
    )
    const plan = await planner.plan(queries, poolContext(optimized.pool, 'best_effort'))
    expect(plan.statements.map((s) => s.text)).toEqual([
      'INSERT INTO wide (d, a, b, c) SELECT * FROM unnest($1::character varying[], $2::integer[], $3::text[], $4::numeric[])',
      'INSERT INTO wide (d, a, b, c) SELECT * FROM unnest($1::character varying[], $2::integer[], $3::text[], $4::numeric[])',
    ])
    const outcomes = await runPlan(optimized.pool, plan, queries.length)
    expect(outcomes.every((o) => o.status === 'succeeded' && o.rowCount === 1)).toBe(true)
    const check =
      'SELECT count(*)::int AS n, sum(a)::bigint AS s, sum(c)::text AS c, min(b) AS b FROM wide'
    const rounded = 'SELECT sum(round(g / 1000.0, 2))::text AS c FROM generate_series(0, 29999) g'
    const { c } = (await optimized.pool.query<{ c: string }>(rounded)).rows[0] ?? { c: '' }
    expect((await optimized.pool.query(check)).rows[0]).toEqual({
      n: 30_000,
      s: String((29_999 * 30_000) / 2),
      c,
      b: 'b0',
    })
  })

  it('keeps unnest INSERTs exact: typmod checks, rounding and bisection', async () => {
    await both('CREATE TABLE narrow (a int PRIMARY KEY, b text, c numeric(6,2), d varchar(3))')
    const sql = 'INSERT INTO narrow (a, b, c, d) VALUES ($1, $2, $3, $4)'
    const rows = Array.from(
      { length: 60 },
      (_, i) => [i, 'x', 1.005, i === 42 ? 'long' : 'ok'] as const,
    )
    const { plan, actual } = await compare(batch(rows.map((p) => [sql, [...p]])), 'best_effort', [
      'narrow',
    ])
    expect(plan.statements[0]?.text).toContain('unnest(')
    expect(actual.filter((o) => o.status === 'failed').map((o) => o.code)).toEqual(['22001'])
    expect(actual[42]?.status).toBe('failed')
  })

  it('stays under 65535 parameters per VALUES statement when values cannot go in arrays', async () => {
    await both('CREATE TABLE blobs (a int, b bytea, c int)')
    const sql = 'INSERT INTO blobs (a, b, c) VALUES ($1, $2, $3)'
    const queries = batch(
      Array.from({ length: 30_000 }, (_, i) => [sql, [i, Buffer.from([i % 256]), i]] as const),
    )
    const plan = await planner.plan(queries, poolContext(optimized.pool, 'best_effort'))
    const sizes = plan.statements.map((s) => s.values.length)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(65_535)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(90_000)
    expect(
      plan.statements.every((s) => s.kind === 'merged_insert' && s.text.includes('VALUES')),
    ).toBe(true)
    await runPlan(optimized.pool, plan, queries.length)
    expect(
      (
        await optimized.pool.query(
          'SELECT count(*)::int AS n, sum(get_byte(b, 0))::int AS s FROM blobs',
        )
      ).rows[0],
    ).toEqual({
      n: 30_000,
      s: Array.from({ length: 30_000 }, (_, i) => i % 256).reduce((a, b) => a + b, 0),
    })
  })

  it('never merges across another statement, or multi-statement strings', async () => {
    const insert = 'INSERT INTO items (id, name) VALUES ($1, $2)'
    const { plan } = await compare(
      batch([
        [insert, [40, 'a']],
        ['SELECT count(*) FROM items', []],
        [insert, [41, 'b']],
      ]),
      'best_effort',
      ['items'],
    )
    expect(plan.statements.map((s) => s.kind)).toEqual(['single', 'single', 'single'])
  })
})

describe('deduplication', () => {
  beforeAll(() =>
    both("CREATE TABLE d (id int PRIMARY KEY, v text); INSERT INTO d VALUES (1, 'a'), (2, 'b')"),
  )

  it('answers identical reads once when no write sits between them', async () => {
    const read = 'SELECT v FROM d WHERE id = $1'
    const { plan, actual } = await compare(
      batch([
        [read, [1]],
        ['SELECT count(*) FROM d', []],
        [read, [1]],
      ]),
      'best_effort',
    )
    expect(plan.deduplicated).toBe(1)
    expect(plan.reordered).toBe(true)
    expect(actual[2]?.rows).toEqual([{ v: 'a' }])
  })

  it('does not deduplicate across a write, and never deduplicates writes', async () => {
    const read = 'SELECT v FROM d WHERE id = $1'
    const write = "UPDATE d SET v = v || '!' WHERE id = $1"
    const { plan, actual } = await compare(
      batch([
        [read, [2]],
        [write, [2]],
        [write, [2]],
        [read, [2]],
      ]),
      'best_effort',
      ['d'],
    )
    expect(plan.deduplicated).toBe(0)
    expect(actual[3]?.rows).toEqual([{ v: 'b!!' }])
  })

  it('only deduplicates adjacent reads in sequential and transactional', async () => {
    const read = 'SELECT v FROM d WHERE id = $1'
    const queries = batch([
      [read, [1]],
      ['SELECT 1', []],
      [read, [1]],
      [read, [1]],
    ])
    for (const strategy of ['sequential', 'transactional'] as const) {
      const plan = await planner.plan(queries, poolContext(optimized.pool, strategy))
      expect(plan.reordered).toBe(false)
      expect(plan.statements.map((s) => s.queryIndexes)).toEqual([[0], [1], [2, 3]])
    }
  })

  it('does not deduplicate volatile reads or reads through a view', async () => {
    await both('CREATE VIEW dv AS SELECT id, v FROM d')
    const { plan } = await compare(
      batch([
        ['SELECT random() < 2 AS ok', []],
        ['SELECT random() < 2 AS ok', []],
        ['SELECT v FROM dv WHERE id = $1', [1]],
        ['SELECT v FROM dv WHERE id = $1', [1]],
      ]),
    )
    expect(plan.deduplicated).toBe(0)
  })
})

describe('point read merging', () => {
  // Case-insensitive matching needs an ICU build of PostgreSQL (Debian's has it; some embedded
  // builds may not): without it the collation test is skipped.
  let hasIcu = false
  beforeAll(async () => {
    const icu = await optimized.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_collation WHERE collprovider = 'i'",
    )
    hasIcu = (icu.rows[0]?.n ?? 0) > 0
    const collation = hasIcu ? ' COLLATE ci' : ''
    if (hasIcu)
      await both(
        "CREATE COLLATION IF NOT EXISTS ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
      )
    await both(`CREATE TABLE users (id bigint PRIMARY KEY, email text${collation}, team int);
      INSERT INTO users SELECT g, 'User' || g || '@x.io', g % 3 FROM generate_series(1, 50) g`)
  })

  it('merges point reads of one text into one statement and hands rows back per key', async () => {
    const sql = 'SELECT id, email FROM users WHERE id = $1'
    const ids = [3, 1, 999, 3, '7', 2]
    const { plan, actual } = await compare(batch(ids.map((id) => [sql, [id]])))
    expect(plan.statements).toHaveLength(1)
    expect(plan.statements[0]?.kind).toBe('point_read')
    expect(actual.map((o) => o.rowCount)).toEqual([1, 1, 0, 1, 1, 1])
    expect(actual[4]?.rows).toEqual([{ id: '7', email: 'User7@x.io' }])
  })

  it('matches keys with the column collation, exactly as the single reads do', async (context) => {
    if (!hasIcu) context.skip()
    const sql = 'SELECT id FROM users WHERE email = $1'
    const { plan, actual } = await compare(
      batch(['user5@X.IO', 'User5@x.io', 'nobody'].map((e) => [sql, [e]])),
    )
    expect(plan.statements[0]?.kind).toBe('point_read')
    expect(actual.map((o) => o.rowCount)).toEqual([1, 1, 0])
  })

  it('keeps per-key aggregates and multi-row keys right', async () => {
    const count = 'SELECT count(*) AS n FROM users WHERE team = $1'
    const rows = 'SELECT id FROM users u WHERE u.team = $1 AND id < 10'
    const { plan } = await compare(
      batch([
        [count, [0]],
        [count, [1]],
        [count, [7]],
        [rows, [1]],
        [rows, [2]],
      ]),
    )
    expect(plan.statements.map((s) => s.kind)).toEqual(['point_read', 'point_read'])
  })

  it('merges across other reads only where reordering is allowed', async () => {
    const sql = 'SELECT email FROM users WHERE id = $1'
    const queries = batch([
      [sql, [1]],
      ['SELECT count(*) FROM users', []],
      [sql, [2]],
    ])
    expect((await compare(queries, 'parallel')).plan.statements.map((s) => s.kind)).toEqual([
      'point_read',
      'single',
    ])
    expect((await compare(queries, 'sequential')).plan.statements.map((s) => s.kind)).toEqual([
      'single',
      'single',
      'single',
    ])
  })
})

describe('keyed update merging', () => {
  beforeAll(() =>
    both(`CREATE TABLE acc (id int PRIMARY KEY, balance numeric(10,2) NOT NULL CHECK (balance >= 0), note varchar(5), code text UNIQUE);
      INSERT INTO acc SELECT g, 100, NULL, 'c' || g FROM generate_series(1, 20) g`),
  )

  it('merges UPDATEs with distinct keys and gives each query its rowCount', async () => {
    const sql = "UPDATE acc SET balance = $1, note = 'm' WHERE id = $2"
    const { plan, actual } = await compare(
      batch(
        [
          [5, 1],
          [6, 2],
          [7, 404],
          [8, '3'],
        ].map((p) => [sql, p]),
      ),
      'best_effort',
      ['acc'],
    )
    expect(plan.statements.map((s) => s.kind)).toEqual(['keyed_update'])
    expect(actual.map((o) => o.rowCount)).toEqual([1, 1, 0, 1])
  })

  it('merges relative UPDATEs (balance = balance + $1) with the operand type PostgreSQL would infer', async () => {
    const sql = 'UPDATE acc SET balance = balance + $1, note = $2 WHERE id = $3'
    const { plan, actual } = await compare(
      batch(
        [
          ['1.005', 'a', 11],
          [2, 'b', 12],
          [-500, 'c', 13],
          [3, 'd', 14],
        ].map((p) => [sql, p]),
      ),
      'best_effort',
      ['acc'],
    )
    expect(plan.statements[0]?.kind).toBe('keyed_update')
    expect(plan.statements[0]?.text).toContain('$1::numeric[]')
    expect(actual.map((o) => o.code)).toEqual([undefined, undefined, '23514', undefined])
  })

  it('starts a new statement when a key repeats, so the later update wins as it would', async () => {
    const sql = 'UPDATE acc SET balance = $1 WHERE id = $2'
    const { plan } = await compare(
      batch(
        [
          [1, 4],
          [2, 5],
          [3, 4],
          [9, 6],
        ].map((p) => [sql, p]),
      ),
      'sequential',
      ['acc'],
    )
    expect(plan.statements.map((s) => s.queryIndexes)).toEqual([
      [0, 1],
      [2, 3],
    ])
  })

  it('bisects constraint failures to the guilty query', async () => {
    const sql = 'UPDATE acc SET balance = $1, note = $2 WHERE id = $3'
    const { actual } = await compare(
      batch(
        [
          [1, 'ok', 7],
          [-1, 'ok', 8],
          [2, 'toolong', 9],
          [3, 'ok', 10],
        ].map((p) => [sql, p]),
      ),
      'best_effort',
      ['acc'],
    )
    expect(actual.map((o) => o.code)).toEqual([undefined, '23514', '22001', undefined])
  })

  it('does not merge UPDATEs of a unique column or with non-canonical keys', async () => {
    const unique = 'UPDATE acc SET code = $1 WHERE id = $2'
    const swapped = await compare(
      batch(
        [
          ['c2', 1],
          ['x2', 2],
        ].map((p) => [unique, p]),
      ),
      'best_effort',
      ['acc'],
    )
    expect(swapped.plan.merged).toBe(0)
    expect(swapped.actual[0]?.code).toBe('23505')
    const sql = 'UPDATE acc SET balance = $1 WHERE id = $2'
    const odd = await compare(
      batch(
        [
          [1, '01'],
          [2, ' 1'],
        ].map((p) => [sql, p]),
      ),
      'best_effort',
      ['acc'],
    )
    expect(odd.plan.merged).toBe(0)
  })
})

describe('catalog changes', () => {
  it('runs everything after DDL or SET as written', async () => {
    await both('CREATE TABLE late (id int)')
    const insert = 'INSERT INTO late (id) VALUES ($1)'
    const { plan } = await compare(
      batch([
        [insert, [1]],
        [insert, [2]],
        ['CREATE INDEX ON late (id)', []],
        [insert, [3]],
        [insert, [4]],
      ]),
      'best_effort',
      ['late'],
    )
    expect(plan.statements.map((s) => s.kind)).toEqual([
      'merged_insert',
      'single',
      'single',
      'single',
    ])
    expect(plan.notes[0]).toContain('queries from 2 on run as written')
  })
})
