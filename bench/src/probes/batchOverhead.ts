import { QueryPipeline } from '@sluice/pipeline-core'
import type { QueryResult, Strategy } from '@sluice/pipeline-core'
import pg from 'pg'
import { resolveTestServer } from '@sluice/test-database'
import { createBenchSchema } from '../database/benchSchema'
import { targetUrl } from '../database/benchTarget'
import { summarize } from '../measure/stats'

// Diagnostic: what one Sluice batch of 1,000 single-row INSERTs costs (from its last addQuery to
// its last result) beside the same rows as one hand-written INSERT … SELECT unnest, on the same
// server and direct connection, interleaved. Run: npx tsx src/probes/batchOverhead.ts [strategy]
const strategy = (process.argv[2] ?? 'transactional') as Strategy
const ROWS = 1_000
const ROUNDS = 40
const server = process.env.BENCH_DATABASE_URL
  ? { url: process.env.BENCH_DATABASE_URL, stop: () => Promise.resolve() }
  : await resolveTestServer()
const schema = await createBenchSchema(server.url, 'batch_overhead')
try {
  await schema.pool.query(
    'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, value int NOT NULL)',
  )
  const url = targetUrl(schema.target)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const pipeline = new QueryPipeline({
    name: 'batch-overhead',
    connection: url,
    strategy,
    batchSize: ROWS,
    flushIntervalMs: 60_000,
    maxQueueSize: ROWS,
    retainResults: false,
    adaptiveBatchSize: false,
  })
  const batchMs: number[] = []
  const sluiceMs: number[] = []
  const addMs: number[] = []
  const handMs: number[] = []
  pipeline.on('batch', (event) => batchMs.push(event.durationMs))
  let next = 1
  const sql = 'INSERT INTO items (id, name, value) VALUES ($1, $2, $3)'
  for (let round = 0; round < ROUNDS; round++) {
    const results: Promise<QueryResult>[] = []
    const addStart = performance.now()
    for (let i = 0; i < ROWS - 1; i++, next++)
      results.push((await pipeline.addQuery(sql, [next, `item-${next}`, next % 1000])).result)
    const start = performance.now()
    results.push((await pipeline.addQuery(sql, [next, `item-${next}`, next % 1000])).result)
    next++
    const outcomes = await Promise.all(results)
    const end = performance.now()
    if (outcomes.some((r) => !r.success)) throw new Error('a Sluice insert failed')
    const ids = Array.from({ length: ROWS }, (_, i) => next + i)
    next += ROWS
    const handStart = performance.now()
    await client.query(
      'INSERT INTO items (id, name, value) SELECT * FROM unnest($1::int[], $2::text[], $3::int[])',
      [ids, ids.map((id) => `item-${id}`), ids.map((id) => id % 1000)],
    )
    const handEnd = performance.now()
    if (round >= 10) {
      // The first rounds warm the JIT and the connections.
      sluiceMs.push(end - start)
      addMs.push(start - addStart)
      handMs.push(handEnd - handStart)
    }
  }
  await pipeline.close()
  await client.end()
  const median = (values: number[]): string => summarize(values).median.toFixed(2)
  console.log(
    JSON.stringify({
      strategy,
      rows: ROWS,
      rounds: sluiceMs.length,
      sluiceBatchMs: median(sluiceMs),
      sluiceBatchEventMs: median(batchMs.slice(10)),
      addQueryLoopMs: median(addMs),
      handWrittenMs: median(handMs),
    }),
  )
} finally {
  await schema.drop()
  await server.stop()
}
