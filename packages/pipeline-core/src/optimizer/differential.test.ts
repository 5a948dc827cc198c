import type { TestSchema } from '@sluice/test-database'
import { createTestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryPipeline } from '../pipeline/queryPipeline'
import type { BatchEvent, PipelineConfig, QueryResult } from '../types'
import type { Strategy } from '@sluice/contract'
import type { WorkloadQuery } from '../testing/randomWorkload'
import { createOptimizingPlanner } from './planner/optimizingPlanner'
import { batch, poolContext } from '../testing/planRunner'
import {
  randomWorkload,
  WORKLOAD_RESET,
  WORKLOAD_TABLES,
  WORKLOAD_TABLES_DDL,
} from '../testing/randomWorkload'

/*
 * The optimizer's contract, tested end to end: the same random workload through a pipeline with
 * `optimize: false` and one with `optimize: true` (separate schemas) must give every query the
 * same status, rows, rowCount and SQLSTATE, and leave identical tables, for every strategy.
 * 60 seeds per strategy by default (300 workloads of 60+ queries; strategies run concurrently);
 * SLUICE_DIFFERENTIAL_SEEDS=1000 runs more locally, SLUICE_DIFFERENTIAL_FIRST_SEED picks where to
 * start (a failure names the seed to replay).
 */

const SEEDS = Number(process.env.SLUICE_DIFFERENTIAL_SEEDS ?? 60)
const FIRST_SEED = Number(process.env.SLUICE_DIFFERENTIAL_FIRST_SEED ?? 1)

interface Variant {
  readonly name: string
  readonly strategy: Strategy
  readonly maxConnections: number
  readonly independent: boolean
  readonly failureRate: number
}

const variants: Variant[] = [
  {
    name: 'sequential',
    strategy: 'sequential',
    maxConnections: 1,
    independent: false,
    failureRate: 0.03,
  },
  {
    name: 'transactional',
    strategy: 'transactional',
    maxConnections: 1,
    independent: false,
    failureRate: 0.01,
  },
  {
    name: 'best_effort',
    strategy: 'best_effort',
    maxConnections: 1,
    independent: false,
    failureRate: 0.1,
  },
  // One connection: queries depend on each other, so their order must be fixed to compare.
  {
    name: 'parallel (1 connection)',
    strategy: 'parallel',
    maxConnections: 1,
    independent: false,
    failureRate: 0.1,
  },
  // Several connections: queries run in no fixed order, so the workload is independent.
  {
    name: 'parallel (4 connections)',
    strategy: 'parallel',
    maxConnections: 4,
    independent: true,
    failureRate: 0.1,
  },
]

/** What the test compares per query. */
interface Observed {
  status: string
  rows?: unknown[]
  rowCount?: number
  code?: string | undefined
}

function observe(result: QueryResult): Observed {
  return {
    status: result.status,
    rows: result.rows,
    rowCount: result.rowCount,
    code: result.error?.code,
  }
}

/** A pipeline over one schema, reused across seeds. */
class Subject {
  readonly events: BatchEvent[] = []
  private constructor(
    readonly schema: TestSchema,
    readonly pipeline: QueryPipeline,
  ) {
    pipeline.on('batch', (event) => this.events.push(event))
  }

  static async create(variant: Variant, optimize: boolean): Promise<Subject> {
    const schema = await createTestSchema(`diff_${optimize ? 'opt' : 'plain'}`)
    await schema.pool.query(WORKLOAD_TABLES_DDL)
    const config: PipelineConfig = {
      name: `differential-${variant.name}-${String(optimize)}`,
      connection: schema.url,
      strategy: variant.strategy,
      // Batches are cut by explicit flush() only, so both runs cut them at the same queries.
      batchSize: 1_000,
      flushIntervalMs: 60_000,
      maxConnections: variant.maxConnections,
      maxInFlightBatches: 1,
      retry: { maxAttempts: 1, baseDelayMs: 1 },
      optimize,
      adaptiveBatchSize: false,
    }
    return new Subject(schema, new QueryPipeline(config))
  }

  /** Runs the workload as two batches; returns what each query observed and the final tables. */
  async run(
    workload: readonly WorkloadQuery[],
  ): Promise<{ results: Observed[]; tables: unknown[][] }> {
    await this.schema.pool.query(WORKLOAD_RESET)
    this.pipeline.resume()
    const results: Observed[] = []
    const half = Math.ceil(workload.length / 2)
    for (const part of [workload.slice(0, half), workload.slice(half)]) {
      const rejected = new Map<number, Observed>()
      for (const [index, query] of part.entries()) {
        try {
          await this.pipeline.addQuery(query.sql, query.params)
        } catch (error) {
          // A halted sequential pipeline refuses intake; both runs must refuse the same queries.
          rejected.set(index, { status: 'rejected', code: (error as { code?: string }).code })
        }
      }
      const flushed = (await this.pipeline.flush()).map(observe)
      for (let index = 0; index < part.length; index++) {
        const observed = rejected.get(index) ?? flushed.shift()
        results.push(observed ?? { status: 'missing' })
      }
      if (flushed.length > 0) results.push({ status: `extra results: ${String(flushed.length)}` })
    }
    const tables: unknown[][] = []
    for (const table of WORKLOAD_TABLES)
      tables.push((await this.schema.pool.query(`SELECT * FROM ${table} ORDER BY id`)).rows)
    return { results, tables }
  }

  async close(): Promise<void> {
    await this.pipeline.close()
    await this.schema.drop()
  }
}

describe.concurrent.each(variants)('optimize: false vs true, $name', (variant) => {
  let plain: Subject
  let optimized: Subject
  beforeAll(async () => {
    ;[plain, optimized] = await Promise.all([
      Subject.create(variant, false),
      Subject.create(variant, true),
    ])
  })
  afterAll(async () => {
    await Promise.all([plain.close(), optimized.close()])
  })

  it(
    `gives every query the same outcome and leaves the same tables (${String(SEEDS)} seeds)`,
    async () => {
      for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
        const workload = randomWorkload(seed, {
          length: 60,
          failureRate: variant.failureRate,
          independent: variant.independent,
        })
        const expected = await plain.run(workload)
        const actual = await optimized.run(workload)
        const context = `seed ${String(seed)} (SLUICE_DIFFERENTIAL_FIRST_SEED=${String(seed)} SLUICE_DIFFERENTIAL_SEEDS=1 to replay)`
        for (let index = 0; index < workload.length; index++) {
          expect(
            actual.results[index],
            `${context}, query ${String(index)}: ${JSON.stringify(workload[index])}`,
          ).toEqual(expected.results[index])
        }
        expect(actual.results.length, context).toBe(expected.results.length)
        expect(actual.tables, `${context}: final tables`).toEqual(expected.tables)
      }
      // The optimizer really did something (the test would pass vacuously otherwise).
      const merged = optimized.events.reduce((sum, event) => sum + event.merged, 0)
      const deduplicated = optimized.events.reduce((sum, event) => sum + event.deduplicated, 0)
      expect(merged).toBeGreaterThan(SEEDS)
      if (SEEDS >= 20) expect(deduplicated).toBeGreaterThan(0)
      expect(plain.events.every((event) => event.merged === 0 && event.deduplicated === 0)).toBe(
        true,
      )
    },
    Math.max(60_000, SEEDS * 2_000),
  )

  it('exercises every kind of merge on these workloads', async () => {
    const kinds = new Set<string>()
    const planner = createOptimizingPlanner()
    for (let seed = FIRST_SEED; seed < FIRST_SEED + 30; seed++) {
      const workload = randomWorkload(seed, {
        length: 60,
        failureRate: variant.failureRate,
        independent: variant.independent,
      })
      const plan = await planner.plan(
        batch(workload.map((query) => [query.sql, query.params] as const)),
        poolContext(optimized.schema.pool, variant.strategy),
      )
      // Copies answered inside a merged point read count as deduplicated too.
      if (plan.deduplicated > 0) kinds.add('deduplicated')
      for (const statement of plan.statements) {
        kinds.add(
          statement.text.startsWith('WITH __sluice_src')
            ? 'upsert'
            : statement.text.includes('unnest($1::integer[], $2::integer[])') &&
                statement.kind === 'merged_insert'
              ? 'unnest_insert'
              : statement.kind,
        )
      }
    }
    expect([...kinds].sort()).toEqual([
      'deduplicated',
      'keyed_update',
      'merged_insert',
      'point_read',
      'single',
      'unnest_insert',
      'upsert',
    ])
  })
})

describe('a merged INSERT of 10,000 rows with one unique violation', () => {
  let schema: TestSchema
  beforeAll(async () => {
    schema = await createTestSchema('diff_big')
    await schema.pool.query('CREATE TABLE big (id int PRIMARY KEY, payload text)')
  })
  afterAll(() => schema.drop())

  it('fails exactly the guilty query with 23505; the other 9,999 succeed (best_effort)', async () => {
    const pipeline = new QueryPipeline({
      name: 'differential-big',
      connection: schema.url,
      strategy: 'best_effort',
      batchSize: 10_000,
      maxQueueSize: 10_000,
      flushIntervalMs: 60_000,
      adaptiveBatchSize: false,
    })
    const events: BatchEvent[] = []
    pipeline.on('batch', (event) => events.push(event))
    try {
      const guilty = 6_543
      const accepted = []
      for (let i = 0; i < 10_000; i++) {
        // Query `guilty` repeats the id of query 1234.
        const id = i === guilty ? 1_234 : i
        accepted.push(
          await pipeline.addQuery('INSERT INTO big (id, payload) VALUES ($1, $2)', [
            id,
            `row ${String(i)}`,
          ]),
        )
      }
      await pipeline.flush()
      const results = await Promise.all(accepted.map((query) => query.result))
      const failed = results.flatMap((result, index) =>
        result.success ? [] : [{ index, code: result.error?.code }],
      )
      expect(failed).toEqual([{ index: guilty, code: '23505' }])
      expect(results.filter((result) => result.success && result.rowCount === 1)).toHaveLength(
        9_999,
      )
      expect((await schema.pool.query('SELECT count(*)::int AS n FROM big')).rows[0]).toEqual({
        n: 9_999,
      })
      expect((await schema.pool.query('SELECT payload FROM big WHERE id = 1234')).rows).toEqual([
        { payload: 'row 1234' },
      ])
      // It really ran merged: 10,000 queries in a handful of statements.
      expect(events.reduce((sum, event) => sum + event.merged, 0)).toBeGreaterThanOrEqual(9_999)
    } finally {
      await pipeline.close()
    }
  })
})
