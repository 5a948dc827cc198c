import { afterAll, describe, expect, test } from 'vitest'
import { PipelineError } from '../errors'
import type { PipelineErrorCode } from '@sluice/contract'
import type { PipelineConfig } from '../types'
import { QueryPipeline } from './queryPipeline'

// Bad input is refused before anything is queued (accepted queries run on the test server at close).
const connection = 'postgres://postgres@127.0.0.1:5432/test'
const opened: QueryPipeline[] = []

function open(config: Partial<PipelineConfig> = {}): QueryPipeline {
  const pipeline = new QueryPipeline({ name: 'validation', connection, ...config })
  opened.push(pipeline)
  return pipeline
}

afterAll(async () => {
  await Promise.all(opened.map((pipeline) => pipeline.close()))
})

async function rejection(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  if (!(error instanceof PipelineError))
    throw new Error(`expected a PipelineError, got ${String(error)}`)
  return error
}

function thrown(action: () => unknown): PipelineError {
  try {
    action()
  } catch (error) {
    if (error instanceof PipelineError) return error
    throw error
  }
  throw new Error('expected a PipelineError to be thrown')
}

describe('config', () => {
  test.each<[Record<string, unknown>, PipelineErrorCode, RegExp]>([
    [{ batchSize: 0 }, 'INVALID_CONFIG', /batchSize/],
    [{ batchSize: 2.5 }, 'INVALID_CONFIG', /batchSize/],
    [
      { strategy: 'fastest' },
      'INVALID_CONFIG',
      /strategy must be one of best_effort, sequential, parallel, transactional/,
    ],
    [{ flushIntervalMs: -1 }, 'INVALID_CONFIG', /flushIntervalMs/],
    [
      { maxQueueSize: 10, batchSize: 20 },
      'INVALID_CONFIG',
      /maxQueueSize must be at least batchSize \(20\)/,
    ],
    [{ maxConnections: 0 }, 'INVALID_CONFIG', /maxConnections/],
    [{ retry: { maxAttempts: 0 } }, 'INVALID_CONFIG', /retry.maxAttempts/],
    [{ retry: { baseDelayMs: -5 } }, 'INVALID_CONFIG', /retry.baseDelayMs/],
    [{ adaptiveBatchSize: { min: 10, max: 5 } }, 'INVALID_CONFIG', /adaptiveBatchSize.max/],
    [{ name: '' }, 'INVALID_CONFIG', /name/],
    [{ connection: 42 }, 'INVALID_CONFIG', /connection/],
  ])('%j is refused', (config, code, message) => {
    const error = thrown(() => new QueryPipeline({ name: 'x', connection, ...config }))
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
  })

  test('configure refuses bad or fixed settings and keeps the old ones', () => {
    const pipeline = open({ batchSize: 10 })
    expect(
      thrown(() => {
        pipeline.configure({ batchSize: -3 })
      }).message,
    ).toMatch(/batchSize/)
    expect(
      thrown(() => {
        pipeline.configure({ name: 'other' } as never)
      }).message,
    ).toMatch(/name cannot be changed/)
    expect(
      thrown(() => {
        pipeline.configure({ colour: 'red' } as never)
      }).message,
    ).toMatch(/colour is not a pipeline setting/)
    expect(pipeline.getStatus().batchSize).toBe(10)
  })
})

test.each([
  'SET LOCAL statement_timeout = 1000',
  'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
  'SET CONSTRAINTS ALL IMMEDIATE',
  'CREATE TEMP TABLE t (a int) ON COMMIT DROP',
  "SELECT set_config('sluice.tenant', 'acme', true)",
])('transaction-scoped %j is accepted', async (sql) => {
  const pipeline = open({ flushIntervalMs: 60_000 })
  const accepted = await pipeline.addQuery(sql)
  expect(accepted.id).toEqual(expect.any(String))
})

describe('queries', () => {
  const pipeline = open({ batchSize: 3 })

  test.each<[unknown, unknown, unknown, PipelineErrorCode, RegExp]>([
    [42, undefined, undefined, 'INVALID_QUERY', /sql must be a string, got number/],
    ['   ', undefined, undefined, 'INVALID_QUERY', /sql must not be empty/],
    ['SELECT $1', 'x', undefined, 'INVALID_QUERY', /params must be an array, got string/],
    ['SELECT $1', [() => 1], undefined, 'INVALID_QUERY', /params\[0\] is a function/],
    ['SELECT 1', [], 7, 'INVALID_QUERY', /callbackId must be a string, got number/],
    ['SELECT 1; DELETE FROM t', [], undefined, 'INVALID_QUERY', /holds 2 statements/],
    ['-- nothing here', [], undefined, 'INVALID_QUERY', /holds no statement/],
    ['SELECT $1, $2', [1], undefined, 'INVALID_QUERY', /params has 1 values but the sql uses 2/],
    [
      'SET statement_timeout = 1',
      [],
      undefined,
      'INVALID_QUERY',
      /SET\/RESET \(without LOCAL\) would change the shared session/,
    ],
    ['RESET search_path', [], undefined, 'INVALID_QUERY', /shared session/],
    [
      "SELECT set_config('search_path', 'other', false)",
      [],
      undefined,
      'INVALID_QUERY',
      /set_config\(…\) with is_local other than a literal true would change the shared session/,
    ],
    [
      "WITH s AS (SELECT pg_catalog.set_config('a.b', $1, $2)) SELECT * FROM s",
      ['x', true],
      undefined,
      'INVALID_QUERY',
      /set_config/,
    ],
    ['BEGIN', [], undefined, 'INVALID_QUERY', /transaction control belongs to the pipeline/],
    ['LISTEN jobs', [], undefined, 'INVALID_QUERY', /LISTEN/],
    ['COPY items FROM STDIN', [], undefined, 'INVALID_QUERY', /COPY FROM STDIN/],
    ['CREATE TEMP TABLE scratch (a int)', [], undefined, 'INVALID_QUERY', /temporary table/],
    ['DECLARE c CURSOR WITH HOLD FOR SELECT 1', [], undefined, 'INVALID_QUERY', /cursor/],
    [
      'SELECT 1',
      new Array(65_536).fill(1),
      undefined,
      'TOO_MANY_PARAMETERS',
      /65536 values; PostgreSQL allows at most 65535/,
    ],
    [
      'SELECT $1::text',
      ['a\uD800b'],
      undefined,
      'INVALID_QUERY',
      /params\[0\]: the string contains a lone UTF-16 surrogate/,
    ],
    [
      'SELECT $1::text[]',
      [['ok', '\uDC00']],
      undefined,
      'INVALID_QUERY',
      /params\[0\]: the string at \[1\] contains a lone/,
    ],
    [
      'SELECT $1::jsonb',
      [{ tags: { ['k\uD800']: 1 } }],
      undefined,
      'INVALID_QUERY',
      /params\[0\]: the object key "k\\ud800" at \.tags contains a lone/,
    ],
    [
      'SELECT $1::jsonb',
      [{ list: [{ v: '\uDBFF' }] }],
      undefined,
      'INVALID_QUERY',
      /params\[0\]: the string at \.list\[0\]\.v contains a lone/,
    ],
  ])('addQuery(%j, …) is refused', async (sql, params, callbackId, code, message) => {
    const error = await rejection(
      pipeline.addQuery(sql as string, params as unknown[], { callbackId: callbackId as string }),
    )
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
    expect(pipeline.getStatus().totalQueries).toBe(0)
  })

  test('well-formed surrogate pairs (emoji) are accepted in strings and object keys', async () => {
    const own = open()
    const accepted = await own.addQuery('SELECT $1::text AS t, $2::jsonb AS j', [
      '\u{1F600}',
      { ['\u{1F600}']: '\u{1F600}' },
    ])
    await own.flush()
    expect((await accepted.result).rows).toEqual([
      { t: '\u{1F600}', j: { ['\u{1F600}']: '\u{1F600}' } },
    ])
  })

  test('a group larger than batchSize is refused whole', async () => {
    const group = [1, 2, 3, 4].map((n) => ({ sql: 'SELECT $1::int', params: [n] }))
    const error = await rejection(pipeline.addGroup(group))
    expect(error.code).toBe('GROUP_TOO_LARGE')
    expect(error.message).toMatch(/4 queries but batchSize is 3/)
  })

  test('a group with one bad query queues nothing and names the query', async () => {
    const error = await rejection(
      pipeline.addGroup([{ sql: 'SELECT 1' }, { sql: 'SELECT 1', params: 'no' as never }]),
    )
    expect(error.message).toMatch(/queries\[1\]\.params must be an array/)
    expect(pipeline.getStatus().totalQueries).toBe(0)
  })
})
