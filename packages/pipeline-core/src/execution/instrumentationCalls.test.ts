import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPipelineFixture } from '../testing/pipelineFixture'
import type { PipelineFixture } from '../testing/pipelineFixture'
import type {
  BatchSummary,
  PipelineInstrumentation,
  StatementSpanInfo,
} from '../tracing/instrumentation'

/*
 * What the executor tells tracing and metrics, checked with a recording PipelineInstrumentation
 * (the OpenTelemetry implementation has its own tests in src/tracing).
 */

let fx: PipelineFixture

beforeAll(async () => {
  fx = await createPipelineFixture('instrumented')
  await fx.schema.pool.query('CREATE TABLE things (id int PRIMARY KEY)')
})
afterAll(async () => fx.dispose())

function recordingInstrumentation() {
  const batches: {
    info: Parameters<PipelineInstrumentation['startBatch']>[0]
    statements: StatementSpanInfo[]
    summary?: BatchSummary
  }[] = []
  const depths: number[] = []
  let spans = 0
  const instrumentation: PipelineInstrumentation = {
    captureCallerContext: () => ({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: 1,
    }),
    startBatch(info) {
      const batch: (typeof batches)[number] = { info, statements: [] }
      batches.push(batch)
      return {
        traceId: `trace-${batches.length}`,
        startStatement(statement) {
          batch.statements.push(statement)
          const spanId = `span-${++spans}`
          return { traceId: `trace-${batches.length}`, spanId, end: () => undefined }
        },
        end(summary) {
          batch.summary = summary
        },
      }
    },
    recordQueueDepth: (_pipeline, depth) => depths.push(depth),
  }
  return { instrumentation, batches, depths }
}

test('a span per batch and per statement sent, with the server facts; ids on every result', async () => {
  const { instrumentation, batches, depths } = recordingInstrumentation()
  const pipeline = fx.open({
    instrumentation,
    strategy: 'best_effort',
    optimize: false,
    batchSize: 10,
    flushIntervalMs: 60_000,
  })
  await pipeline.addQuery('INSERT INTO things VALUES ($1)', [1])
  await pipeline.addQuery('SELECT 1 / 0')
  await pipeline.addQuery('SELECT id FROM things')
  const results = await pipeline.flush()

  expect(batches).toHaveLength(1)
  const [batch] = batches
  expect(batch?.info).toMatchObject({ pipeline: pipeline.name, strategy: 'best_effort', size: 3 })
  expect(batch?.info.links).toHaveLength(3)
  expect(batch?.statements.map((statement) => statement.text)).toEqual([
    'INSERT INTO things VALUES ($1)',
    'SELECT 1 / 0',
    'SELECT id FROM things',
  ])
  expect(batch?.statements[0]).toMatchObject({
    operation: 'INSERT',
    collection: 'things',
    namespace: 'test',
  })
  expect(typeof batch?.statements[0]?.serverAddress).toBe('string')
  expect(typeof batch?.statements[0]?.serverPort).toBe('number')
  expect(batch?.summary).toMatchObject({ succeeded: 2, failed: 1, skipped: 0, rolledBack: 0 })
  expect(results.map((result) => result.traceId)).toEqual(['trace-1', 'trace-1', 'trace-1'])
  expect(new Set(results.map((result) => result.spanId)).size).toBe(3)
  expect(depths.at(-1)).toBe(0)
  expect(Math.max(...depths)).toBe(3)
})
