import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import type { TestSchema } from '@sluice/test-database'
import { createTestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { QueryPipeline } from '../pipeline/queryPipeline'
import type { BatchEvent, QueryResult } from '../types'
import type { Strategy } from '@sluice/contract'
import type { InMemoryTelemetry } from './inMemoryTelemetry'
import { startInMemoryTelemetry } from './inMemoryTelemetry'

/*
 * Real pipelines against PostgreSQL, spans caught by an in-memory exporter: what an operator
 * sees in Jaeger for each strategy and for a failing statement.
 */

const SECRET = 'secret-parameter-value'
let telemetry: InMemoryTelemetry
let schema: TestSchema

beforeAll(async () => {
  telemetry = startInMemoryTelemetry()
  schema = await createTestSchema('tracing')
  await schema.pool.query('CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL)')
})
afterAll(async () => {
  await schema.drop()
  await telemetry.shutdown()
})
beforeEach(() => {
  telemetry.reset()
})

interface Run {
  readonly results: QueryResult[]
  readonly events: BatchEvent[]
  readonly callerSpanIds: string[]
}

/** Adds the queries from inside caller spans (two queries per caller) and waits for every result. */
async function run(
  name: string,
  strategy: Strategy,
  queries: [string, unknown[]][],
  optimize = false,
): Promise<Run> {
  const pipeline = new QueryPipeline({
    name,
    connection: schema.url,
    strategy,
    batchSize: queries.length,
    flushIntervalMs: 1000,
    optimize,
  })
  const events: BatchEvent[] = []
  pipeline.on('batch', (event) => events.push(event))
  const callerSpanIds: string[] = []
  const pending: Promise<QueryResult>[] = []
  for (let i = 0; i < queries.length; i += 2) {
    await trace.getTracer('app').startActiveSpan(`request ${i / 2}`, async (span) => {
      callerSpanIds.push(span.spanContext().spanId)
      for (const [sql, params] of queries.slice(i, i + 2))
        pending.push((await pipeline.addQuery(sql, params)).result)
      span.end()
    })
  }
  const results = await Promise.all(pending)
  await pipeline.close()
  return { results, events, callerSpanIds }
}

function batchSpans(pipeline: string): ReadableSpan[] {
  return telemetry
    .spansNamed('sluice.batch')
    .filter((span) => span.attributes['sluice.pipeline.name'] === pipeline)
}

function childrenOf(parent: ReadableSpan): ReadableSpan[] {
  return telemetry
    .spans()
    .filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)
}

function spanById(spanId: string | undefined): ReadableSpan | undefined {
  return telemetry.spans().find((span) => span.spanContext().spanId === spanId)
}

/** Checks the tree every batch has, whatever the strategy; returns the batch span. */
function expectBatchTree(
  name: string,
  strategy: Strategy,
  { results, events, callerSpanIds }: Run,
): ReadableSpan {
  const [batch, ...more] = batchSpans(name)
  expect(more).toEqual([])
  if (!batch) throw new Error('no sluice.batch span')
  expect(batch.kind).toBe(SpanKind.INTERNAL)
  expect(batch.parentSpanContext).toBeUndefined()
  expect(batch.attributes).toMatchObject({
    'sluice.pipeline.name': name,
    'sluice.batch.strategy': strategy,
    'sluice.batch.size': results.length,
    'sluice.batch.id': results[0]?.batchId,
  })
  // Each caller linked once, though each added two queries.
  expect(batch.links.map((link) => link.context.spanId).sort()).toEqual([...callerSpanIds].sort())
  expect(events.map((event) => event.traceId)).toEqual([batch.spanContext().traceId])

  const statements = childrenOf(batch)
  expect(statements.length).toBeGreaterThanOrEqual(1)
  expect(batch.attributes['sluice.batch.statements']).toBe(statements.length)
  for (const statement of statements) {
    expect(statement.kind).toBe(SpanKind.CLIENT)
    expect(statement.spanContext().traceId).toBe(batch.spanContext().traceId)
    expect(statement.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': 'test',
      'server.address': '127.0.0.1',
      'server.port': 5432,
    })
    expect(JSON.stringify(statement.attributes)).not.toContain(SECRET)
  }
  // A query that ran points at the statement span that ran it, with that statement's outcome.
  for (const result of results.filter((r) => r.status === 'succeeded' || r.status === 'failed')) {
    expect(result.traceId).toBe(batch.spanContext().traceId)
    const statement = spanById(result.spanId)
    expect(statement?.parentSpanContext?.spanId).toBe(batch.spanContext().spanId)
    if (result.status === 'succeeded') expect(statement?.status.code).toBe(SpanStatusCode.UNSET)
    else {
      expect(statement?.status.code).toBe(SpanStatusCode.ERROR)
      expect(statement?.attributes['db.response.status_code']).toBe(result.error?.code)
      expect(statement?.attributes['error.type']).toBe(result.error?.code)
    }
  }
  // A rolled-back query's statement was sent in the transaction: it points at that span too.
  for (const result of results.filter((r) => r.status === 'rolled_back')) {
    expect(spanById(result.spanId)?.parentSpanContext?.spanId).toBe(batch.spanContext().spanId)
  }
  return batch
}

const STRATEGIES: Strategy[] = ['sequential', 'transactional', 'parallel', 'best_effort']

describe.each(STRATEGIES)('%s pipeline', (strategy) => {
  const base = STRATEGIES.indexOf(strategy) * 1000

  it('traces a successful batch: one batch span, a CLIENT span per statement, ids on every result', async () => {
    const name = `ok-${strategy}`
    const outcome = await run(name, strategy, [
      ['INSERT INTO users (id, name) VALUES ($1, $2)', [base + 1, SECRET]],
      ['INSERT INTO users (id, name) VALUES ($1, $2)', [base + 2, SECRET]],
      ['SELECT name FROM users WHERE id = $1', [base + 1]],
      ['UPDATE users SET name = $2 WHERE id = $1', [base + 2, SECRET]],
    ])
    expect(outcome.results.map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ])
    const batch = expectBatchTree(name, strategy, outcome)
    expect(batch.status.code).toBe(SpanStatusCode.UNSET)
    expect(batch.attributes).toMatchObject({
      'sluice.batch.succeeded': 4,
      'sluice.batch.failed': 0,
    })
    const names = outcome.results.map((r) => spanById(r.spanId)?.name)
    expect(names).toEqual(['INSERT users', 'INSERT users', 'SELECT users', 'UPDATE users'])
    expect(spanById(outcome.results[0]?.spanId)?.attributes).toMatchObject({
      'db.query.text': 'INSERT INTO users (id, name) VALUES ($1, $2)',
      'db.operation.name': 'INSERT',
      'db.collection.name': 'users',
    })
    expect(new Set(outcome.results.map((r) => r.spanId)).size).toBe(4)
  })

  it('marks the failing statement and the batch as errors', async () => {
    const name = `fail-${strategy}`
    const outcome = await run(name, strategy, [
      ['INSERT INTO users (id, name) VALUES ($1, $2)', [base + 11, 'a']],
      ['INSERT INTO users (id, name) VALUES ($1, $2)', [base + 11, SECRET]],
      ['SELECT name FROM users WHERE id = $1', [base + 11]],
      ['SELECT count(*) FROM users', []],
    ])
    const failed = outcome.results.filter((r) => r.status === 'failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]?.error?.code).toBe('23505')
    const batch = expectBatchTree(name, strategy, outcome)
    expect(batch.status).toEqual({ code: SpanStatusCode.ERROR, message: '1 of 4 queries failed' })
    const count = (status: QueryResult['status']) =>
      outcome.results.filter((r) => r.status === status).length
    expect(batch.attributes).toMatchObject({
      'sluice.batch.succeeded': count('succeeded'),
      'sluice.batch.failed': 1,
      'sluice.batch.skipped': count('skipped'),
      'sluice.batch.rolled_back': count('rolled_back'),
    })
    const failing = spanById(failed[0]?.spanId)
    expect(failing?.name).toBe('INSERT users')
    expect(failing?.status.message).toContain('duplicate key')
  })
})

describe('transactional rollback', () => {
  it('gives every rolled-back query the span of the statement that ran it', async () => {
    const name = 'rolled-back-spans'
    const outcome = await run(name, 'transactional', [
      ['INSERT INTO users (id, name) VALUES ($1, $2)', [40_001, 'a']],
      ['UPDATE users SET name = $2 WHERE id = $1', [40_001, SECRET]],
      ['SELECT 1/0', []],
      ['SELECT name FROM users WHERE id = $1', [40_001]],
    ])
    expect(outcome.results.map((r) => r.status)).toEqual([
      'rolled_back',
      'rolled_back',
      'failed',
      'rolled_back',
    ])
    const batch = expectBatchTree(name, 'transactional', outcome)
    expect(outcome.results.map((r) => spanById(r.spanId)?.name)).toEqual([
      'INSERT users',
      'UPDATE users',
      'SELECT',
      'SELECT users',
    ])
    expect(new Set(outcome.results.map((r) => r.spanId)).size).toBe(4)
    expect(outcome.results.every((r) => r.traceId === batch.spanContext().traceId)).toBe(true)
  })
})

describe('deduplicated reads (optimizer on)', () => {
  it('run one statement span that answers every copy, with no db.operation.batch.size', async () => {
    const name = 'deduplicated'
    const read = 'SELECT count(*) AS n FROM users WHERE name = $1'
    const outcome = await run(
      name,
      'best_effort',
      [
        [read, ['nobody']],
        [read, ['nobody']],
        [read, ['nobody']],
        [read, ['nobody']],
      ],
      true,
    )
    expect(outcome.results.map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ])
    const batch = expectBatchTree(name, 'best_effort', outcome)
    const statements = childrenOf(batch)
    expect(statements).toHaveLength(1)
    expect(outcome.events[0]?.deduplicated).toBe(3)
    expect(new Set(outcome.results.map((r) => r.spanId))).toEqual(
      new Set([statements[0]?.spanContext().spanId]),
    )
    expect(statements[0]?.attributes).not.toHaveProperty('db.operation.batch.size')
  })
})

describe('merged statements (optimizer on)', () => {
  const insert = 'INSERT INTO users (id, name) VALUES ($1, $2)'

  it('traces a merged INSERT as one span answering every query, with db.operation.batch.size', async () => {
    const name = 'merged'
    const rows = Array.from({ length: 50 }, (_, i): [string, unknown[]] => [
      insert,
      [20_000 + i, SECRET],
    ])
    const outcome = await run(name, 'transactional', rows, true)
    expect(outcome.results.every((r) => r.status === 'succeeded')).toBe(true)
    const batch = expectBatchTree(name, 'transactional', outcome)
    const statements = childrenOf(batch)
    expect(statements.map((span) => span.name)).toEqual(['INSERT users'])
    const [merged] = statements
    expect(merged?.attributes['db.operation.batch.size']).toBe(50)
    // However the optimizer spells it (VALUES rows, unnest arrays), it is the merged text itself.
    expect(merged?.attributes['db.query.text']).toMatch(/^INSERT INTO users \(id, name\) /)
    expect(new Set(outcome.results.map((r) => r.spanId))).toEqual(
      new Set([merged?.spanContext().spanId]),
    )
    expect(batch.attributes).toMatchObject({
      'sluice.batch.merged': 50,
      'sluice.batch.statements': 1,
    })
    expect(outcome.events[0]?.merged).toBe(50)
  })

  it('points the failing query of a merged INSERT at an error span of its own', async () => {
    const name = 'merged-failing'
    await schema.pool.query("INSERT INTO users (id, name) VALUES (30005, 'taken')")
    const rows = Array.from({ length: 8 }, (_, i): [string, unknown[]] => [
      insert,
      [30_000 + i, SECRET],
    ])
    const outcome = await run(name, 'best_effort', rows, true)
    expect(outcome.results.map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'failed',
      'succeeded',
      'succeeded',
    ])
    const batch = expectBatchTree(name, 'best_effort', outcome)
    expect(batch.status.code).toBe(SpanStatusCode.ERROR)
    const failing = spanById(outcome.results[5]?.spanId)
    expect(failing?.attributes['db.response.status_code']).toBe('23505')
    // No other query is blamed: the failing span answers the failing query alone.
    expect(outcome.results.filter((r) => r.spanId === failing?.spanContext().spanId)).toHaveLength(
      1,
    )
    expect(
      childrenOf(batch).some((span) => Number(span.attributes['db.operation.batch.size']) >= 2),
    ).toBe(true)
  })
})

describe('links to callers', () => {
  it('links the span given as callerContext, over the active one, e.g. from a traceparent header', async () => {
    const pipeline = new QueryPipeline({
      name: 'explicit-caller',
      connection: schema.url,
      batchSize: 3,
      flushIntervalMs: 1000,
    })
    // A remote caller's span, as propagation.extract would give it from `traceparent`.
    const remote = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    }
    const events: BatchEvent[] = []
    pipeline.on('batch', (event) => events.push(event))
    const pending = await trace.getTracer('app').startActiveSpan('handler', async (span) => {
      const explicit = await pipeline.addQuery('SELECT 1', [], { callerContext: remote })
      const [grouped] = await pipeline.addGroup([{ sql: 'SELECT 2' }], { callerContext: remote })
      const active = await pipeline.addQuery('SELECT 3')
      span.end()
      return { explicit, grouped, active, handler: span.spanContext() }
    })
    await Promise.all([pending.explicit.result, pending.grouped?.result, pending.active.result])
    await pipeline.close()
    const [batch] = batchSpans('explicit-caller')
    expect(batch?.links.map((link) => link.context.spanId)).toEqual([
      remote.spanId,
      pending.handler.spanId,
    ])
    expect(batch?.links[0]?.context.traceId).toBe(remote.traceId)
    // The batch event names the same callers, for whoever shows batches (the engine's console).
    expect(events.map((event) => event.callers)).toEqual([
      [
        { traceId: remote.traceId, spanId: remote.spanId },
        { traceId: pending.handler.traceId, spanId: pending.handler.spanId },
      ],
    ])
  })
})

describe('metrics of a real pipeline', () => {
  it('counts queries by outcome and records batch size and queue depth', async () => {
    const name = 'metered'
    await run(name, 'best_effort', [
      ['INSERT INTO users (id, name) VALUES ($1, $2)', [9001, 'a']],
      ['INSERT INTO users (id, name) VALUES ($1, $2)', [9001, 'b']],
    ])
    const mine = <T extends { attributes: Record<string, unknown> }>(points: T[]) =>
      points.filter((point) => point.attributes['sluice.pipeline.name'] === name)
    const queries = mine(await telemetry.points('sluice.queries'))
    expect(
      Object.fromEntries(
        queries.map((p) => [String(p.attributes['sluice.query.outcome']), p.value]),
      ),
    ).toEqual({ succeeded: 1, failed: 1 })
    expect(mine(await telemetry.points('sluice.batch.size'))).toHaveLength(1)
    expect(mine(await telemetry.points('sluice.queue.depth')).map((p) => p.value)).toEqual([0])
  })
})
