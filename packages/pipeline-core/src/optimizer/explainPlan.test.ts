import type { TestSchema } from '@sluice/test-database'
import { createTestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { explainPlan } from './explainPlan'
import { poolContext } from '../testing/planRunner'

let schema: TestSchema
beforeAll(async () => {
  schema = await createTestSchema('explain')
  await schema.pool.query(
    'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, $$a$$)',
  )
})
afterAll(() => schema.drop())

describe('explainPlan', () => {
  it('says what merges, dedupes and moves, and why not, without running anything', async () => {
    const insert = 'INSERT INTO t (id, v) VALUES ($1, $2)'
    const read = 'SELECT v FROM t WHERE id = $1'
    const explanation = await explainPlan(
      [
        { sql: insert, params: [2, 'b'] },
        { sql: insert, params: [3, 'c'] },
        { sql: read, params: [1] },
        { sql: 'SELECT count(*) FROM t' },
        { sql: read, params: [1] },
        { sql: read, params: [2] },
        { sql: 'INSERT INTO t (id, v) VALUES ($1, $2) ON CONFLICT DO NOTHING', params: [4, 'd'] },
        { sql: 'INSERT INTO t (id, v) VALUES ($1, $2) ON CONFLICT DO NOTHING', params: [5, 'e'] },
      ],
      poolContext(schema.pool, 'best_effort'),
    )
    expect(explanation.statements.map((s) => [s.kind, s.queries])).toEqual([
      ['merged_insert', [0, 1]],
      ['point_read', [2, 4, 5]],
      ['single', [3]],
      ['single', [6]],
      ['single', [7]],
    ])
    expect(explanation.statements[1]?.moved).toBe(true)
    expect(explanation.reordered).toBe(true)
    expect(explanation.summary).toContain('2 single-row INSERTs into t merged')
    expect(explanation.summary).toContain('ON CONFLICT')
    // Nothing ran.
    expect((await schema.pool.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 1 })
  })
})
