import { QueryPipeline } from '@sluice/pipeline-core'
import type { QueryResult } from '@sluice/pipeline-core'

// Probe (run by runProbe in its own process): queue <depth> INSERTs in a paused pipeline, measure
// the heap they take, then run them and report the peak. Prints one JSON line.
const [depthArg, url] = process.argv.slice(2)
const depth = Number(depthArg)
if (!url || !Number.isInteger(depth) || depth < 1)
  throw new Error('usage: queueMemoryProbe <depth> <url>')
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')
const collect = (): NodeJS.MemoryUsage => {
  gc()
  gc()
  return process.memoryUsage()
}

const pipeline = new QueryPipeline({
  name: 'memory-probe',
  connection: url,
  strategy: 'best_effort',
  batchSize: 1_000,
  flushIntervalMs: 2,
  maxQueueSize: Math.max(depth, 1_000),
  retainResults: false,
})
await (
  await pipeline.addQuery('SELECT 1')
).result
const before = collect()
pipeline.pause()
const results: Promise<QueryResult>[] = []
for (let i = 1; i <= depth; i++) {
  // Realistic rows: an id, a short text, a number; the caller keeps each result promise.
  const { result } = await pipeline.addQuery(
    'INSERT INTO items (id, name, value) VALUES ($1, $2, $3)',
    [i, `item-${i}`, i % 1000],
  )
  results.push(result)
}
const queued = collect()
let peakHeap = queued.heapUsed
let peakRss = queued.rss
const sampler = setInterval(() => {
  const now = process.memoryUsage()
  peakHeap = Math.max(peakHeap, now.heapUsed)
  peakRss = Math.max(peakRss, now.rss)
}, 5)
const start = performance.now()
pipeline.resume()
await pipeline.flush()
const outcomes = await Promise.all(results)
const runMs = performance.now() - start
clearInterval(sampler)
const failed = outcomes.filter((r) => !r.success)
if (failed.length > 0)
  throw new Error(
    `${failed.length} of ${depth} queued inserts failed: ${failed[0]?.error?.message ?? ''}`,
  )
await pipeline.close()
console.log(
  JSON.stringify({
    depth,
    heapBefore: before.heapUsed,
    heapQueued: queued.heapUsed,
    queuedBytesPerQuery: (queued.heapUsed - before.heapUsed) / depth,
    rssQueued: queued.rss,
    peakHeapSampled: peakHeap,
    peakRssSampled: peakRss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    runMs,
  }),
)
