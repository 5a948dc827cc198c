import type { TestSchema } from '@sluice/test-database'
import { createTestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOptimizingPlanner } from '../planner/optimizingPlanner'
import { batch, poolContext, runPlan } from '../../testing/planRunner'

/*
 * Merged statements are built from the queries' own text through PostgreSQL's lexer. These
 * cases put the words and characters the builders look for where a text search would trip.
 */

let schema: TestSchema
const planner = createOptimizingPlanner()

beforeAll(async () => {
  schema = await createTestSchema('merged_text')
  await schema.pool
    .query(`CREATE TABLE "values" ("VALUES" int PRIMARY KEY, "where" text, note text);
    CREATE TABLE "Ünïcode" (id int PRIMARY KEY, "naïve" text)`)
})
afterAll(() => schema.drop())

async function run(sql: string, params: unknown[][]) {
  const queries = batch(params.map((p) => [sql, p]))
  const plan = await planner.plan(queries, poolContext(schema.pool, 'best_effort'))
  const outcomes = await runPlan(schema.pool, plan, queries.length)
  return { plan, outcomes }
}

describe('merged statement text', () => {
  it('finds the VALUES row of a table named "values", past comments and strings that look like SQL', async () => {
    const sql = `INSERT INTO "values" ("VALUES", "where", note) /* VALUES ( */ VALUES ($1, $2, 'VALUES ($9) -- ') -- VALUES ($3)`
    const { plan, outcomes } = await run(sql, [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ])
    expect(plan.statements.map((s) => s.kind)).toEqual(['merged_insert'])
    expect(outcomes.every((o) => o.status === 'succeeded')).toBe(true)
    const rows = await schema.pool.query('SELECT * FROM "values" ORDER BY 1')
    expect(rows.rows).toEqual(
      [1, 2, 3].map((id, i) => ({
        VALUES: id,
        where: ['a', 'b', 'c'][i],
        note: 'VALUES ($9) -- ',
      })),
    )
  })

  it('keys a point read and an UPDATE on quoted, non-ASCII names', async () => {
    await schema.pool.query(`INSERT INTO "Ünïcode" VALUES (1, 'é'), (2, 'ü'), (3, 'ß')`)
    const read = await run(
      `SELECT "naïve" FROM "Ünïcode" WHERE id = $1 AND "naïve" <> 'WHERE $1'`,
      [[1], [3], [9]],
    )
    expect(read.plan.statements.map((s) => s.kind)).toEqual(['point_read'])
    expect(read.outcomes.map((o) => o.rows)).toEqual([[{ naïve: 'é' }], [{ naïve: 'ß' }], []])
    const update = await run(
      `UPDATE "Ünïcode" SET "naïve" = $1 /* WHERE */ WHERE "Ünïcode".id = $2;`,
      [
        ['x', 1],
        ['y', 2],
        ['z', 7],
      ],
    )
    expect(update.plan.statements.map((s) => s.kind)).toEqual(['keyed_update'])
    expect(update.outcomes.map((o) => o.rowCount)).toEqual([1, 1, 0])
    expect((await schema.pool.query(`SELECT "naïve" FROM "Ünïcode" ORDER BY id`)).rows).toEqual([
      { naïve: 'x' },
      { naïve: 'y' },
      { naïve: 'ß' },
    ])
  })
})
