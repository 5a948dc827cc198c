import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { PipelineError } from '../errors'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type { BatchEvent } from '../types'

/*
 * addQuery takes the values as they are when it is called: a caller reusing one params array,
 * or changing an object or Buffer it passed, changes nothing about queries already accepted.
 */

let fx: PipelineFixture
beforeAll(async () => {
  fx = await createPipelineFixture('params_snapshot')
  await fx.schema.pool.query(
    'CREATE TABLE t (id int PRIMARY KEY, doc jsonb, bin bytea, at timestamptz, big int8, note text)',
  )
})
beforeEach(async () => fx.schema.pool.query('TRUNCATE t'))
afterAll(async () => fx.dispose())

for (const optimize of [false, true]) {
  test(`optimize ${String(optimize)}: a reused params array runs each query with the value it had at addQuery`, async () => {
    const pipeline = fx.open({
      strategy: 'best_effort',
      optimize,
      batchSize: 100,
      flushIntervalMs: 60_000,
    })
    const params: unknown[] = [0]
    const accepted = []
    for (let i = 1; i <= 3; i++) {
      params[0] = i
      accepted.push(await pipeline.addQuery('INSERT INTO t (id) VALUES ($1)', params))
    }
    await pipeline.flush()
    const results = await Promise.all(accepted.map((query) => query.result))
    expect(results.map((result) => result.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    expect(await fx.rows('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])
  })
}

test('an object or Buffer changed after addQuery is sent as it was; a later cycle fails nothing', async () => {
  const pipeline = fx.open({ strategy: 'best_effort', batchSize: 100, flushIntervalMs: 60_000 })
  const doc: Record<string, unknown> = { a: 1 }
  const bin = Buffer.from([1, 2, 3])
  const other = await pipeline.addQuery('SELECT $1::int AS v', [7])
  const insert = await pipeline.addQuery('INSERT INTO t (id, doc, bin) VALUES ($1, $2, $3)', [
    1,
    doc,
    bin,
  ])
  doc.self = doc // unserializable now
  bin[0] = 9
  await pipeline.flush()
  expect((await other.result).rows).toEqual([{ v: 7 }])
  expect((await insert.result).status).toBe('succeeded')
  expect(await fx.rows('SELECT doc, bin FROM t')).toEqual([
    { doc: { a: 1 }, bin: Buffer.from([1, 2, 3]) },
  ])
})

test('a value pg cannot serialize is refused at addQuery, naming the parameter', async () => {
  const pipeline = fx.open({ strategy: 'best_effort', batchSize: 100, flushIntervalMs: 60_000 })
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  const error = await pipeline
    .addQuery('SELECT $1::int, $2::jsonb', [1, cyclic])
    .catch((reason: unknown) => reason)
  expect(error).toBeInstanceOf(PipelineError)
  expect((error as PipelineError).code).toBe('INVALID_QUERY')
  expect((error as PipelineError).message).toContain('params[1]')
})

test('result listeners get the values as submitted, not the caller array', async () => {
  const pipeline = fx.open({ strategy: 'best_effort', batchSize: 100, flushIntervalMs: 60_000 })
  const seen: unknown[][] = []
  pipeline.on('result', (_result, query) => seen.push([...query.params]))
  const params: unknown[] = [1, { a: 1 }]
  await pipeline.addQuery('INSERT INTO t (id, doc) VALUES ($1, $2)', params)
  params[0] = 2
  await pipeline.flush()
  expect(seen).toEqual([[1, { a: 1 }]])
})

test('prepared values still merge, with the same rows as unmerged (dates, bigints, null, JSON)', async () => {
  const at = new Date('2024-05-06T07:08:09.123Z')
  const insert = 'INSERT INTO t (id, doc, at, big, note) VALUES ($1, $2, $3, $4, $5)'
  const row = (i: number): unknown[] => [
    i,
    { i, list: [i, 'x"y\\z'] },
    at,
    2n ** 60n + BigInt(i),
    i % 2 === 0 ? null : `n${String(i)}`,
  ]
  const expected = async (): Promise<unknown[]> =>
    fx.rows('SELECT id, doc, at, big, note FROM t ORDER BY id')
  const runWith = async (optimize: boolean): Promise<{ rows: unknown[]; merged: number }> => {
    await fx.schema.pool.query('TRUNCATE t')
    const pipeline = fx.open({
      strategy: 'best_effort',
      optimize,
      batchSize: 200,
      flushIntervalMs: 60_000,
      adaptiveBatchSize: false,
    })
    const batches: BatchEvent[] = []
    pipeline.on('batch', (event) => batches.push(event))
    for (let i = 1; i <= 120; i++) await pipeline.addQuery(insert, row(i))
    const results = await pipeline.flush()
    expect(results.every((result) => result.success)).toBe(true)
    return { rows: await expected(), merged: batches.reduce((sum, event) => sum + event.merged, 0) }
  }
  const plain = await runWith(false)
  const optimized = await runWith(true)
  expect(optimized.merged).toBeGreaterThan(0)
  expect(optimized.rows).toEqual(plain.rows)
  expect(plain.rows).toHaveLength(120)
})
