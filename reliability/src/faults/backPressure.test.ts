import { PipelineError, QueryPipeline, type QueryResult } from '@sluice/pipeline-core'
import { createTestSchema, type TestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { longRun, reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { Ledger, outcomeOfResult } from '../testing/ledger'

/*
 * Overload straight into a QueryPipeline: many producers adding far faster than the database
 * can take (each query sleeps 1 ms). The queue must never hold more than maxQueueSize, waiting
 * producers must all get in eventually, `wait: false` producers must be refused with QUEUE_FULL
 * (and nothing refused may run), and memory must stay flat in streaming mode.
 */

const mb = 1024 * 1024
const queries = longRun ? 40_000 : 6_000

describe('back-pressure in the pipeline', () => {
  let schema: TestSchema
  beforeAll(async () => {
    schema = await createTestSchema('back_pressure')
  })
  afterAll(async () => {
    await schema.drop()
  })

  it('bounds the queue, admits waiting producers, refuses impatient ones, and keeps memory flat', async () => {
    await createKeyTable(schema.pool, 'pressure')
    const maxQueueSize = 100
    const pipeline = new QueryPipeline({
      name: 'pressure',
      connection: schema.url,
      strategy: 'best_effort',
      batchSize: 50,
      flushIntervalMs: 2,
      maxQueueSize,
      maxConnections: 2,
      retainResults: false,
      optimize: false,
    })
    const ledger = new Ledger()
    const sql = 'INSERT INTO pressure (key, grp) SELECT $1, $2 FROM pg_sleep(0.001)'
    let maxQueue = 0
    const heap: number[] = []
    const sampler = setInterval(() => {
      maxQueue = Math.max(maxQueue, pipeline.getStatus().queueSize)
      heap.push(process.memoryUsage().heapUsed)
    }, 5)
    const refusedCodes = new Map<string, number>()
    let next = 0
    const producer = async (patient: boolean): Promise<void> => {
      const pending: Promise<void>[] = []
      while (next < queries) {
        const key = `q${next++}`
        ledger.issue(key)
        try {
          const { result } = await pipeline.addQuery(
            sql,
            [key, patient ? 'patient' : 'impatient'],
            { callbackId: key, wait: patient },
          )
          pending.push(
            result.then((r: QueryResult) => {
              ledger.record(key, outcomeOfResult(r))
            }),
          )
        } catch (error) {
          const code = `${error instanceof PipelineError ? error.code : 'OTHER'}${patient ? ' (patient!)' : ''}`
          refusedCodes.set(code, (refusedCodes.get(code) ?? 0) + 1)
          ledger.record(key, 'rejected')
          // An impatient producer backs off a little, as a real one would.
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        if (pending.length >= 200) await Promise.all(pending.splice(0))
      }
      await Promise.all(pending)
    }
    await Promise.all([
      ...Array.from({ length: 16 }, () => producer(true)),
      ...Array.from({ length: 4 }, () => producer(false)),
    ])
    clearInterval(sampler)
    await pipeline.close()

    const verdict = ledger.verify(await rowsPerKey(schema.pool, 'pressure'))
    const firstHeap = heap.slice(0, 20).reduce((a, b) => Math.max(a, b), 0)
    const peakHeap = Math.max(...heap)
    reportFigures('pipeline back-pressure', {
      queries,
      maxQueueSize,
      maxQueueSeen: maxQueue,
      succeeded: verdict.byOutcome.succeeded,
      refused: verdict.byOutcome.rejected,
      refusedCodes: [...refusedCodes].map(([c, n]) => `${c}x${n}`).join(',') || 'none',
      earlyHeapMb: firstHeap / mb,
      peakHeapMb: peakHeap / mb,
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      phantom: verdict.phantom.length,
    })
    expect(maxQueue, 'the queue never exceeds maxQueueSize').toBeLessThanOrEqual(maxQueueSize)
    expect(verdict.unanswered).toEqual([])
    expect(
      [...refusedCodes.keys()],
      'only impatient producers are refused, with QUEUE_FULL',
    ).toEqual(['QUEUE_FULL'])
    expect(verdict.byOutcome.failed).toBe(0)
    expect(verdict.lost).toEqual([])
    expect(verdict.duplicated).toEqual([])
    expect(verdict.phantom, 'refused, yet ran').toEqual([])
    expect(peakHeap - firstHeap, 'memory stays flat in streaming mode').toBeLessThan(64 * mb)
  })
})
