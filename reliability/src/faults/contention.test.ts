import { QueryPipeline, type QueryResult, type Strategy } from '@sluice/pipeline-core'
import { createTestSchema, type TestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { longRun, reportFigures } from '../testing/figures'
import { createKeyTable, rowsPerKey } from '../testing/keyTable'
import { outcomeOfResult } from '../testing/ledger'
import { within } from '../testing/timing'

/*
 * Deadlocks (40P01) and serialization failures (40001) are retried by re-running work. A retry
 * that re-applies something already applied shows up here: every unit of work increments two
 * counters and inserts its unique key; afterwards the counters must equal the increments that
 * said succeeded (at most plus the outcome-unknown ones), and no key may appear twice. Two pipelines take the same rows in opposite orders to provoke deadlocks; the
 * serializable variant provokes 40001.
 */

const accounts = 8
const units = longRun ? 3_000 : 400

interface Variant {
  readonly name: string
  readonly strategy: Strategy
  readonly serializable: boolean
  /** Hold the first row lock a while and always take the same two rows: deadlocks for sure. */
  readonly deadlocks: boolean
}

const variants: readonly Variant[] = [
  {
    name: 'transactional groups, deadlocks',
    strategy: 'transactional',
    serializable: false,
    deadlocks: true,
  },
  {
    name: 'transactional groups, serializable',
    strategy: 'transactional',
    serializable: true,
    deadlocks: false,
  },
  {
    name: 'best_effort singles, serializable',
    strategy: 'best_effort',
    serializable: true,
    deadlocks: false,
  },
]

describe('retries under contention never apply work twice', () => {
  let schema: TestSchema
  beforeAll(async () => {
    schema = await createTestSchema('contention')
  })
  afterAll(async () => {
    await schema.drop()
  })

  for (const variant of variants) {
    it(variant.name, async () => {
      const table = `c_${variant.strategy}_${variant.serializable ? 's' : 'd'}`
      await schema.pool.query(
        `CREATE TABLE ${table}_accounts (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)`,
      )
      await schema.pool.query(
        `INSERT INTO ${table}_accounts (id) SELECT generate_series(1, ${accounts})`,
      )
      await createKeyTable(schema.pool, `${table}_keys`)
      let url = schema.url
      // Serializable isolation, or a short deadlock_timeout so each deadlock costs 20 ms, not 1 s.
      const setting = variant.serializable
        ? '-c default_transaction_isolation=serializable'
        : '-c deadlock_timeout=20'
      const parsed = new URL(url)
      parsed.searchParams.set(
        'options',
        `${parsed.searchParams.get('options') ?? ''} ${setting}`.trim(),
      )
      url = parsed.toString()
      const make = (name: string) =>
        new QueryPipeline({
          name,
          connection: url,
          strategy: variant.strategy,
          // One group per batch when provoking deadlocks: each transaction holds its first lock.
          batchSize: variant.deadlocks ? 4 : 12,
          flushIntervalMs: 2,
          maxConnections: 4,
          maxInFlightBatches: 4,
          retry: { maxAttempts: 20, baseDelayMs: 5, maxDelayMs: 100 },
        })
      const pipelines = [make(`${table}-a`), make(`${table}-b`)]
      const update = `UPDATE ${table}_accounts SET n = n + 1 WHERE id = $1`
      const insertKey = `INSERT INTO ${table}_keys (key, grp) VALUES ($1, $2)`
      const outcomes: { key: string; results: QueryResult[] }[] = []
      const pending: Promise<void>[] = []
      const count = variant.deadlocks ? units / 5 : units
      for (let unit = 0; unit < count; unit += 1) {
        const pipeline = pipelines[unit % 2]
        if (!pipeline) continue
        const low = variant.deadlocks ? 1 : 1 + (unit % accounts)
        const high = variant.deadlocks ? 2 : 1 + ((unit * 3 + 1) % accounts)
        // Opposite lock orders in the two pipelines: deadlock fodder.
        const [first, second] = unit % 2 === 0 ? [low, high] : [high, low]
        const key = `${table}-${unit}`
        const queries = [
          { sql: update, params: [first] },
          { sql: variant.deadlocks ? 'SELECT pg_sleep(0.02)' : 'SELECT 1', params: [] },
          { sql: update, params: [second] },
          { sql: insertKey, params: [key, key] },
        ]
        const handles =
          variant.strategy === 'transactional'
            ? await pipeline.addGroup(queries)
            : await Promise.all(queries.map((q) => pipeline.addQuery(q.sql, q.params)))
        pending.push(
          Promise.all(handles.map((h) => h.result)).then((results) => {
            outcomes.push({ key, results })
          }),
        )
      }
      await within(Promise.all(pending), 90_000, undefined)
      await Promise.all(pipelines.map((p) => p.close()))

      const counts = await rowsPerKey(schema.pool, `${table}_keys`)
      const { rows } = await schema.pool.query<{ total: string }>(
        `SELECT sum(n) AS total FROM ${table}_accounts`,
      )
      const total = Number(rows[0]?.total ?? 0)
      // What each statement did, as its result says; outcome-unknown statements are counted from
      // what the table shows (they may or may not have applied).
      let updatesSucceeded = 0
      let updatesUnknown = 0
      let retried = 0
      const codes = new Map<string, number>()
      for (const { results } of outcomes) {
        for (const [index, result] of results.entries()) {
          retried += result.retryCount
          if (result.error?.code)
            codes.set(result.error.code, (codes.get(result.error.code) ?? 0) + 1)
          if (index === 1 || index === 3) continue
          const outcome = outcomeOfResult(result)
          if (outcome === 'succeeded') updatesSucceeded += 1
          if (outcome === 'outcome-unknown') updatesUnknown += 1
        }
      }
      const keysSucceeded = outcomes
        .filter(({ results }) => results[3]?.status === 'succeeded')
        .map(({ key }) => key)
      const keysNotApplied = outcomes
        .filter(({ results }) =>
          ['failed', 'rolled_back', 'skipped'].includes(
            outcomeOfResult(results[3] ?? { status: 'failed' }),
          ),
        )
        .map(({ key }) => key)
      reportFigures(`contention, ${variant.name}`, {
        units: count,
        answered: outcomes.length,
        statementsRetried: retried,
        updatesSucceeded,
        updatesUnknown,
        counterTotal: total,
        keysSucceeded: keysSucceeded.length,
        errors: [...codes].map(([code, n]) => `${code}x${n}`).join(',') || 'none',
      })
      expect(outcomes.length, 'every unit answered').toBe(count)
      if (variant.deadlocks || variant.serializable)
        expect(retried, 'the contention really happened and was retried').toBeGreaterThan(0)
      expect(
        [...counts.values()].filter((n) => n > 1),
        'a key inserted twice',
      ).toEqual([])
      expect(
        keysSucceeded.filter((key) => counts.get(key) !== 1),
        'said succeeded, not there',
      ).toEqual([])
      expect(
        keysNotApplied.filter((key) => counts.has(key)),
        'said failed, yet there',
      ).toEqual([])
      // Every increment that said succeeded is there, and nothing beyond what may have run.
      expect(total).toBeGreaterThanOrEqual(updatesSucceeded)
      expect(total).toBeLessThanOrEqual(updatesSucceeded + updatesUnknown)
      if (variant.strategy === 'transactional') {
        for (const { results } of outcomes) {
          const statuses = new Set(results.map((r) => r.status))
          expect(
            statuses.size === 1 || !statuses.has('succeeded'),
            `a group half succeeded: ${[...statuses].join(',')}`,
          ).toBe(true)
        }
      }
    })
  }
})
