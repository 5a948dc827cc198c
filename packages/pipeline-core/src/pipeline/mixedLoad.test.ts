import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { QueryResult } from '../types'
import type { Strategy } from '@sluice/contract'

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('mixed_load')
})
afterAll(async () => fx.dispose())

const QUERIES = 2000

/** Query i fails when i % 7 === 3 (division by zero) or i % 11 === 5 (duplicate key). */
function expectedToFail(i: number): string | undefined {
  if (i % 7 === 3) return '22012'
  if (i % 11 === 5) return '23505'
  return undefined
}

describe.each<[Strategy, boolean]>([
  ['best_effort', true],
  ['best_effort', false],
  ['parallel', true],
])('%s (optimize %s): thousands of mixed good and failing queries', (strategy, optimize) => {
  test('every accepted query gets exactly one result, the right one', async () => {
    const table = `load_${strategy}_${String(optimize)}`
    await fx.schema.pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
    await fx.schema.pool.query(
      `INSERT INTO ${table} SELECT g FROM generate_series(-${QUERIES}, -1) g`,
    )
    const pipeline = fx.open({
      strategy,
      optimize,
      batchSize: 97,
      flushIntervalMs: 5,
      maxConnections: 3,
      maxQueueSize: 500,
    })
    const byEvent = new Map<string, number>()
    pipeline.on('result', (result) =>
      byEvent.set(result.queryId, (byEvent.get(result.queryId) ?? 0) + 1),
    )

    // Submitted concurrently, so back-pressure (maxQueueSize 500) and several batches in flight are exercised.
    const accepted = await Promise.all(
      Array.from({ length: QUERIES }, (_, i) => {
        if (i % 7 === 3) return pipeline.addQuery('SELECT $1::int / 0 AS boom', [i])
        if (i % 11 === 5) return pipeline.addQuery(`INSERT INTO ${table} VALUES ($1)`, [-1 - i])
        if (i % 2 === 0)
          return pipeline.addQuery(`INSERT INTO ${table} VALUES ($1)`, [i], { callbackId: `c${i}` })
        return pipeline.addQuery('SELECT $1::int AS echo', [i], { callbackId: `c${i}` })
      }),
    )
    const results: QueryResult[] = await Promise.all(accepted.map((query) => query.result))
    const flushed = await pipeline.flush()

    expect(new Set(accepted.map((query) => query.id)).size).toBe(QUERIES)
    expect(results.map((result) => result.queryId)).toEqual(accepted.map((query) => query.id))
    expect(flushed.map((result) => result.queryId)).toEqual(accepted.map((query) => query.id))
    expect(byEvent.size).toBe(QUERIES)
    expect([...byEvent.values()].every((count) => count === 1)).toBe(true)

    results.forEach((result, i) => {
      const failure = expectedToFail(i)
      if (failure) {
        expect(result.status, `query ${i}`).toBe('failed')
        expect(result.error?.code, `query ${i}`).toBe(failure)
      } else {
        expect(result.status, `query ${i}`).toBe('succeeded')
        expect(result.callbackId).toBe(`c${i}`)
        if (i % 2 === 1) expect(result.rows).toEqual([{ echo: i }])
      }
    })
    const inserted = Array.from({ length: QUERIES }, (_, i) => i).filter(
      (i) => !expectedToFail(i) && i % 2 === 0,
    )
    const count = await fx.count(`SELECT count(*)::int AS count FROM ${table} WHERE id >= 0`)
    expect(count).toBe(inserted.length)
    const status = pipeline.getStatus()
    expect(status.succeeded + status.failed).toBe(QUERIES)
    expect(status.totalQueries).toBe(QUERIES)
  })
})
