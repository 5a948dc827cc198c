import type { SpanContext } from '@opentelemetry/api'
import { SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api'
import type { Histogram } from '@opentelemetry/sdk-metrics'
import { loadModule } from 'libpg-query'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { InMemoryTelemetry } from './inMemoryTelemetry'
import { startInMemoryTelemetry } from './inMemoryTelemetry'
import type { BatchSummary, PipelineInstrumentation } from './instrumentation'
import { createOtelInstrumentation } from './otelInstrumentation'

const SUMMARY: BatchSummary = {
  succeeded: 3,
  failed: 0,
  skipped: 0,
  rolledBack: 0,
  merged: 0,
  deduplicated: 0,
  durationMs: 12,
}

function callerContext(n: number): SpanContext {
  return {
    traceId: n.toString(16).padStart(32, 'a'),
    spanId: n.toString(16).padStart(16, 'b'),
    traceFlags: TraceFlags.SAMPLED,
  }
}

let telemetry: InMemoryTelemetry
let instrumentation: PipelineInstrumentation

beforeAll(async () => {
  await loadModule()
  telemetry = startInMemoryTelemetry()
  instrumentation = createOtelInstrumentation()
})
afterAll(async () => {
  await telemetry.shutdown()
})
beforeEach(() => {
  telemetry.reset()
})

function startBatch(links: SpanContext[] = [], size = 3) {
  return instrumentation.startBatch({
    pipeline: 'orders',
    strategy: 'parallel',
    batchId: 'batch-1',
    size,
    links,
  })
}

describe('batch span', () => {
  it('is a root INTERNAL span named sluice.batch with the batch attributes and outcome counts', () => {
    const outer = trace.getTracer('app').startSpan('request')
    const batch = trace.getTracer('app').startActiveSpan('flush', (flush) => {
      const started = startBatch()
      flush.end()
      return started
    })
    outer.end()
    batch.end({
      succeeded: 5,
      failed: 1,
      skipped: 2,
      rolledBack: 0,
      merged: 4,
      deduplicated: 3,
      durationMs: 9,
    })

    const [span] = telemetry.spansNamed('sluice.batch')
    expect(span).toBeDefined()
    if (!span) return
    expect(span.kind).toBe(SpanKind.INTERNAL)
    expect(span.parentSpanContext).toBeUndefined()
    expect(batch.traceId).toBe(span.spanContext().traceId)
    expect(span.instrumentationScope.name).toBe('@sluice/pipeline-core')
    expect(span.attributes).toMatchObject({
      'sluice.pipeline.name': 'orders',
      'sluice.batch.strategy': 'parallel',
      'sluice.batch.size': 3,
      'sluice.batch.id': 'batch-1',
      'sluice.batch.succeeded': 5,
      'sluice.batch.failed': 1,
      'sluice.batch.skipped': 2,
      'sluice.batch.rolled_back': 0,
      'sluice.batch.merged': 4,
      'sluice.batch.deduplicated': 3,
      'sluice.batch.statements': 0,
    })
    expect(span.status.code).toBe(SpanStatusCode.ERROR)
  })

  it('leaves the status unset when no query failed', () => {
    startBatch().end(SUMMARY)
    expect(telemetry.spansNamed('sluice.batch')[0]?.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('links each distinct caller once, skipping invalid contexts, at most 128', () => {
    const callers = [
      callerContext(1),
      callerContext(2),
      callerContext(1),
      { ...callerContext(3), spanId: '0'.repeat(16) },
    ]
    startBatch(callers).end(SUMMARY)
    const links = telemetry.spansNamed('sluice.batch')[0]?.links.map((link) => link.context.spanId)
    expect(links).toEqual([callerContext(1).spanId, callerContext(2).spanId])

    telemetry.reset()
    startBatch(
      Array.from({ length: 300 }, (_, i) => callerContext(i + 1)),
      300,
    ).end(SUMMARY)
    expect(telemetry.spansNamed('sluice.batch')[0]?.links).toHaveLength(128)
  })

  it('captures the caller span context active when a query is added', () => {
    const tracer = trace.getTracer('app')
    const captured = tracer.startActiveSpan('handler', (span) => {
      const context = instrumentation.captureCallerContext()
      span.end()
      return { context, expected: span.spanContext() }
    })
    expect(captured.context?.spanId).toBe(captured.expected.spanId)
    expect(captured.context?.traceId).toBe(captured.expected.traceId)
    expect(instrumentation.captureCallerContext()).toBeUndefined()
  })
})

describe('statement span', () => {
  it('is a CLIENT child of the batch named per the database conventions, with its attributes', () => {
    const batch = startBatch()
    const statement = batch.startStatement({
      text: 'INSERT INTO public.users (id, name) VALUES ($1, $2), ($3, $4)',
      operation: 'INSERT',
      collection: 'public.users',
      batchSize: 2,
      namespace: 'test|public',
      serverAddress: '127.0.0.1',
      serverPort: 5432,
    })
    statement.end()
    batch.end(SUMMARY)

    const [span] = telemetry.spansNamed('INSERT public.users')
    const [batchSpan] = telemetry.spansNamed('sluice.batch')
    expect(span?.kind).toBe(SpanKind.CLIENT)
    expect(span?.parentSpanContext?.spanId).toBe(batchSpan?.spanContext().spanId)
    expect(span?.spanContext().traceId).toBe(batchSpan?.spanContext().traceId)
    expect(statement.traceId).toBe(span?.spanContext().traceId)
    expect(statement.spanId).toBe(span?.spanContext().spanId)
    expect(span?.attributes).toEqual({
      'db.system.name': 'postgresql',
      'db.query.text': 'INSERT INTO public.users (id, name) VALUES ($1, $2), ($3, $4)',
      'db.operation.name': 'INSERT',
      'db.collection.name': 'public.users',
      'db.operation.batch.size': 2,
      'db.namespace': 'test|public',
      'server.address': '127.0.0.1',
      'server.port': 5432,
    })
    expect(span?.status.code).toBe(SpanStatusCode.UNSET)
    expect(batchSpan?.attributes['sluice.batch.statements']).toBe(1)
  })

  it('falls back to the operation, then to postgresql, for its name; no batch size below 2', () => {
    const batch = startBatch()
    batch.startStatement({ text: 'BEGIN', operation: 'BEGIN', batchSize: 1 }).end()
    batch.startStatement({ text: 'SELECT 1' }).end()
    batch.end(SUMMARY)
    expect(telemetry.spansNamed('BEGIN')[0]?.attributes).not.toHaveProperty(
      'db.operation.batch.size',
    )
    expect(telemetry.spansNamed('postgresql')).toHaveLength(1)
  })

  it('records SQLSTATE, error.type and status ERROR on failure', () => {
    const batch = startBatch()
    batch
      .startStatement({
        text: 'INSERT INTO t (id) VALUES ($1)',
        operation: 'INSERT',
        collection: 't',
      })
      .end({ code: '23505', message: 'duplicate key value violates unique constraint "t_pkey"' })
    batch
      .startStatement({ text: 'SELECT 1', operation: 'SELECT' })
      .end({ code: 'CONNECTION_LOST', message: 'gone' })
    batch.startStatement({ text: 'SELECT 2', operation: 'SELECT' }).end({ message: 'odd' })
    batch.end({ ...SUMMARY, failed: 3 })

    const [insert] = telemetry.spansNamed('INSERT t')
    expect(insert?.attributes).toMatchObject({
      'db.response.status_code': '23505',
      'error.type': '23505',
    })
    expect(insert?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'duplicate key value violates unique constraint "t_pkey"',
    })
    const [lost, odd] = telemetry.spansNamed('SELECT')
    expect(lost?.attributes['error.type']).toBe('CONNECTION_LOST')
    expect(lost?.attributes).not.toHaveProperty('db.response.status_code')
    expect(odd?.attributes['error.type']).toBe('_OTHER')
    expect(odd?.status.code).toBe(SpanStatusCode.ERROR)
  })

  it('ends once even when ended twice', () => {
    const batch = startBatch()
    const statement = batch.startStatement({
      text: 'INSERT INTO t VALUES ($1)',
      operation: 'INSERT',
    })
    statement.end()
    statement.end({ code: '23505', message: 'late' })
    batch.end(SUMMARY)
    batch.end(SUMMARY)
    const spans = telemetry.spansNamed('INSERT')
    expect(spans).toHaveLength(1)
    expect(spans[0]?.status.code).toBe(SpanStatusCode.UNSET)
    expect(telemetry.spansNamed('sluice.batch')).toHaveLength(1)
  })

  it('records values spelled inline in the text as placeholders, never the values', () => {
    const batch = startBatch()
    batch
      .startStatement({
        text: "SELECT * FROM users WHERE email = 'alice@example.com' AND id = $1 LIMIT 10",
        operation: 'SELECT',
        collection: 'users',
      })
      .end()
    batch.end(SUMMARY)
    expect(telemetry.spansNamed('SELECT users')[0]?.attributes['db.query.text']).toBe(
      'SELECT * FROM users WHERE email = $2 AND id = $1 LIMIT $3',
    )
  })

  it('leaves out texts it cannot make safe cheaply: invalid SQL, huge merged statements', () => {
    const batch = startBatch()
    batch
      .startStatement({
        text: "SELEC name FROM users WHERE password = 'hunter2'",
        operation: 'SELECT',
      })
      .end({ code: '42601', message: 'syntax error' })
    const huge = `INSERT INTO t (a) VALUES ${Array.from({ length: 2000 }, (_, i) => `($${i + 1})`).join(', ')}`
    batch
      .startStatement({ text: huge, operation: 'INSERT', collection: 't', batchSize: 2000 })
      .end()
    batch.end(SUMMARY)
    expect(telemetry.spansNamed('SELECT')[0]?.attributes).not.toHaveProperty('db.query.text')
    const merged = telemetry.spansNamed('INSERT t')[0]
    expect(merged?.attributes).not.toHaveProperty('db.query.text')
    expect(merged?.attributes['db.operation.batch.size']).toBe(2000)
  })
})

describe('metrics', () => {
  it('records batch size, duration in seconds, queries by outcome, optimized queries and queue depth', async () => {
    const pipeline = `metrics-${Date.now()}`
    const batch = instrumentation.startBatch({
      pipeline,
      strategy: 'best_effort',
      batchId: 'b',
      size: 10,
      links: [],
    })
    batch
      .startStatement({ text: 'SELECT 1', operation: 'SELECT' })
      .end({ code: '57014', message: 'canceled' })
    batch.end({
      succeeded: 6,
      failed: 1,
      skipped: 2,
      rolledBack: 1,
      merged: 4,
      deduplicated: 2,
      durationMs: 250,
    })
    instrumentation.recordQueueDepth(pipeline, 7)
    instrumentation.recordQueueDepth(pipeline, 3)

    const mine = <T extends { attributes: Record<string, unknown> }>(points: T[]) =>
      points.filter((point) => point.attributes['sluice.pipeline.name'] === pipeline)

    const size = mine(await telemetry.points('sluice.batch.size'))
    expect(size.map((p) => (p.value as Histogram).sum)).toEqual([10])
    const duration = mine(await telemetry.points('sluice.batch.duration'))
    expect(duration.map((p) => (p.value as Histogram).sum)).toEqual([0.25])
    const queries = mine(await telemetry.points('sluice.queries'))
    const byOutcome = Object.fromEntries(
      queries.map((p) => [String(p.attributes['sluice.query.outcome']), p.value]),
    )
    expect(byOutcome).toEqual({ succeeded: 6, failed: 1, skipped: 2, rolled_back: 1 })
    const optimized = mine(await telemetry.points('sluice.queries.optimized'))
    expect(
      Object.fromEntries(
        optimized.map((p) => [String(p.attributes['sluice.optimization']), p.value]),
      ),
    ).toEqual({ merged: 4, deduplicated: 2 })
    expect(mine(await telemetry.points('sluice.queue.depth')).map((p) => p.value)).toEqual([3])
    const statements = mine(await telemetry.points('db.client.operation.duration'))
    expect(statements).toHaveLength(1)
    expect(statements[0]?.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.operation.name': 'SELECT',
      'error.type': '57014',
      'db.response.status_code': '57014',
    })
  })
})
