import type {
  InsightDetail,
  InsightsAnswer,
  InsightsInput,
  InsightsList,
  StatementInsight,
} from '@sluice/contract'
import type { QueryResult } from '@sluice/pipeline-core'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import type { InsightsCollector } from './insightsCollector'
import type { InsightsStore } from './insightsStore'

/** How often counted results are written (a restart loses at most this much). */
const FLUSH_MS = 5_000
/** How often minutes are folded into hours and old hours deleted. */
const COMPACT_MS = 5 * 60_000
const DAY_MS = 24 * 3_600_000

const sinceDate = (since: string | number | undefined): Date =>
  since === undefined ? new Date(Date.now() - DAY_MS) : new Date(since)

/**
 * Statement insights: counts every result of every pipeline (InsightsCollector), writes them to
 * the engine database every few seconds (InsightsStore, adding to what other engines wrote), and
 * answers the API from there, after writing what it counted so far.
 *
 * @example
 * const insights = new StatementInsights(collector, store, log)
 * insights.start()
 * const { statements } = await insights.answer({ pipeline: 'orders', limit: 100 })
 */
export class StatementInsights {
  readonly #collector: InsightsCollector
  readonly #store: InsightsStore
  readonly #log: Logger
  #flushTimer: NodeJS.Timeout | undefined
  #compactTimer: NodeJS.Timeout | undefined
  #writing: Promise<void> = Promise.resolve()

  constructor(collector: InsightsCollector, store: InsightsStore, log: Logger) {
    this.#collector = collector
    this.#store = store
    this.#log = log
  }

  /** Counts results of `pipeline` (each with the SQL it ran). */
  record(pipeline: string, sqls: readonly string[], results: readonly QueryResult[]): void {
    this.#collector.record(pipeline, sqls, results)
  }

  start(): void {
    this.#flushTimer = setInterval(() => void this.flush(), FLUSH_MS)
    this.#flushTimer.unref()
    this.#compactTimer = setInterval(() => {
      this.#store.compact().catch((error: unknown) => {
        this.#log.warn({ err: error }, 'could not fold statement insights into hours')
      })
    }, COMPACT_MS)
    this.#compactTimer.unref()
  }

  /** Writes what was counted; one write at a time, a failed one is kept for the next. */
  flush(): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      const tallies = this.#collector.drain()
      try {
        await this.#store.add(tallies)
      } catch (error) {
        this.#collector.restore(tallies)
        this.#log.warn({ err: error }, 'could not write statement insights (kept for the next try)')
      }
    })
    return this.#writing
  }

  /** Stops the timers and writes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.#flushTimer)
    clearInterval(this.#compactTimer)
    await this.flush()
  }

  async list(input: InsightsInput): Promise<InsightsList> {
    await this.flush()
    const since = sinceDate(input.since)
    return {
      statements: await this.#store.list(input.pipeline, since, input.limit),
      since: since.toISOString(),
    }
  }

  /** `GET /v1/insights`: the shape exactly, no console extras. */
  async answer(input: InsightsInput): Promise<InsightsAnswer> {
    const { statements } = await this.list(input)
    return {
      statements: statements.map((row): StatementInsight => ({
        fingerprint: row.fingerprint,
        query: row.query,
        calls: row.calls,
        rows: row.rows,
        failures: row.failures,
        meanMs: row.meanMs,
        p50Ms: row.p50Ms,
        p95Ms: row.p95Ms,
        p99Ms: row.p99Ms,
        merged: row.merged,
        deduplicated: row.deduplicated,
        firstSeen: row.firstSeen,
        lastSeen: row.lastSeen,
      })),
    }
  }

  /** Failures per bucket since `since`, by pipeline, shape and code (failure groups' sparklines). */
  async failureSparklines(since: Date): Promise<Map<string, number[]>> {
    await this.flush()
    return this.#store.failureSparklines(since)
  }

  async get(input: {
    pipeline: string
    fingerprint: string
    since?: string | number | undefined
  }): Promise<InsightDetail> {
    await this.flush()
    const since = sinceDate(input.since)
    const [statement] = await this.#store.list(input.pipeline, since, 1, input.fingerprint)
    if (!statement) {
      throw new EngineError(
        'NOT_FOUND',
        `no statement ${input.fingerprint} in pipeline "${input.pipeline}" since ${since.toISOString()}`,
      )
    }
    return {
      statement,
      series: await this.#store.series(input.pipeline, input.fingerprint, since),
    }
  }
}
