import { createBenchSchema } from '../database/benchSchema'
import { targetUrl } from '../database/benchTarget'
import { runProbe } from './runProbe'

/** Memory of a pipeline holding `depth` queued queries (one fresh process per depth). */
export interface QueueMemoryResult {
  readonly depth: number
  readonly heapBefore: number
  readonly heapQueued: number
  readonly queuedBytesPerQuery: number
  readonly rssQueued: number
  readonly peakHeapSampled: number
  readonly peakRssSampled: number
  /** The probe process's peak resident set, bytes (getrusage). */
  readonly maxRss: number
  readonly runMs: number
}

/**
 * Queues `depth` single-row INSERTs in a paused Sluice pipeline in a fresh process, measures the
 * heap they take, then runs them all and reports peak memory; once per depth.
 *
 * @example
 * const [m] = await measureQueueMemory(serverUrl, [100_000])
 * console.log(m.queuedBytesPerQuery)
 */
export async function measureQueueMemory(
  serverUrl: string,
  depths: readonly number[],
): Promise<QueueMemoryResult[]> {
  const results: QueueMemoryResult[] = []
  for (const depth of depths) {
    const schema = await createBenchSchema(serverUrl, 'memory')
    try {
      await schema.pool.query(
        'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, value int NOT NULL)',
      )
      const result = await runProbe<QueueMemoryResult>('queueMemoryProbe.ts', [
        String(depth),
        targetUrl(schema.target),
      ])
      const { rows } = await schema.pool.query<{ n: string }>('SELECT count(*) AS n FROM items')
      if (Number(rows[0]?.n) !== depth)
        throw new Error(`memory probe: ${rows[0]?.n ?? 0} rows inserted, expected ${depth}`)
      results.push(result)
    } finally {
      await schema.drop()
    }
  }
  return results
}
