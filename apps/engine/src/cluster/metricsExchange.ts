import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { MetricsSample, MetricsTick } from '@sluice/contract'
import type pg from 'pg'
import type { Logger } from '../logger'

/** Receives another engine's second. */
export type TickListener = (engineId: string, tick: MetricsTick) => void

/**
 * How the engines of a cluster hand each other their per-second metrics samples: NATS core
 * subjects when the engine has NATS, else a table of the engine database.
 */
export interface MetricsExchange {
  readonly transport: 'nats' | 'postgres'
  /** Sends this engine's second to the others (best effort: a lost second is a gap). */
  publish(tick: MetricsTick): void
  /** Starts delivering the other engines' seconds (never this engine's own). */
  start(listener: TickListener): Promise<void>
  stop(): Promise<void>
}

const isTick = (value: unknown): value is MetricsTick =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { at?: unknown }).at === 'number' &&
  Array.isArray((value as { samples?: unknown }).samples)

/**
 * Over NATS core: each engine publishes on `sluice.<cluster id>.metrics.<engine id>` and
 * subscribes to `sluice.<cluster id>.metrics.*` (at-most-once, as metrics can afford).
 *
 * @example
 * const exchange = new NatsMetricsExchange(nats, clusterId, engineId, log)
 * await exchange.start((engine, tick) => console.log(engine, tick.at))
 */
export class NatsMetricsExchange implements MetricsExchange {
  readonly transport = 'nats' as const
  readonly #nats: NatsConnection
  readonly #prefix: string
  readonly #engineId: string
  readonly #log: Logger
  #subscription: Subscription | undefined

  constructor(nats: NatsConnection, clusterId: string, engineId: string, log: Logger) {
    this.#nats = nats
    this.#prefix = `sluice.${clusterId}.metrics`
    this.#engineId = engineId
    this.#log = log
  }

  publish(tick: MetricsTick): void {
    try {
      this.#nats.publish(`${this.#prefix}.${this.#engineId}`, JSON.stringify(tick))
    } catch (error) {
      this.#log.debug({ err: error }, 'could not publish a metrics second over NATS')
    }
  }

  async start(listener: TickListener): Promise<void> {
    const subscription = this.#nats.subscribe(`${this.#prefix}.*`)
    this.#subscription = subscription
    void (async () => {
      for await (const message of subscription) {
        const engineId = message.subject.slice(this.#prefix.length + 1)
        if (engineId === this.#engineId) continue
        let tick: unknown
        try {
          tick = message.json()
        } catch {
          tick = undefined
        }
        if (isTick(tick)) listener(engineId, tick)
      }
    })()
    // The subscription is registered with the server before any other engine's second counts.
    await this.#nats.flush()
  }

  async stop(): Promise<void> {
    this.#subscription?.unsubscribe()
    await Promise.resolve()
  }
}

/** How often the database exchange reads the others' seconds. */
const pollIntervalMs = 500
/** Seconds kept in the table for late readers; older ones are deleted. */
const retentionSeconds = 120

/**
 * Through the engine database (no NATS): each engine inserts its second into
 * `sluice.cluster_metric_ticks` and reads the others' twice a second.
 *
 * @example
 * const exchange = new PostgresMetricsExchange(pool, engineId, log)
 * await exchange.start((engine, tick) => console.log(engine, tick.at))
 */
export class PostgresMetricsExchange implements MetricsExchange {
  readonly transport = 'postgres' as const
  readonly #pool: pg.Pool
  readonly #engineId: string
  readonly #log: Logger
  /** Seconds already delivered, by engine: the reads overlap so a slow commit is not missed. */
  readonly #seen = new Map<string, Set<number>>()
  #timer: NodeJS.Timeout | undefined
  #polling: Promise<void> | undefined
  #stopped = false
  #lastCleanup = 0

  constructor(pool: pg.Pool, engineId: string, log: Logger) {
    this.#pool = pool
    this.#engineId = engineId
    this.#log = log
  }

  publish(tick: MetricsTick): void {
    this.#pool
      .query(
        `INSERT INTO sluice.cluster_metric_ticks (engine_id, at, samples) VALUES ($1, $2, $3)
         ON CONFLICT (engine_id, at) DO UPDATE SET samples = excluded.samples`,
        [this.#engineId, tick.at, JSON.stringify(tick.samples)],
      )
      .catch((error: unknown) => {
        this.#log.debug({ err: error }, 'could not share a metrics second through the database')
      })
  }

  async start(listener: TickListener): Promise<void> {
    const poll = (): void => {
      this.#timer = setTimeout(() => {
        this.#polling = this.#poll(listener).finally(() => {
          this.#polling = undefined
          if (!this.#stopped) poll()
        })
      }, pollIntervalMs)
      this.#timer.unref()
    }
    await this.#poll(listener)
    poll()
  }

  async #poll(listener: TickListener): Promise<void> {
    const since = Date.now() - 10_000
    try {
      const result = await this.#pool.query<{
        engine_id: string
        at: string
        samples: MetricsSample[]
      }>(
        `SELECT engine_id, at, samples FROM sluice.cluster_metric_ticks
         WHERE at >= $1 AND engine_id <> $2 ORDER BY at`,
        [since, this.#engineId],
      )
      for (const row of result.rows) {
        const at = Number(row.at)
        let seen = this.#seen.get(row.engine_id)
        if (!seen) {
          seen = new Set()
          this.#seen.set(row.engine_id, seen)
        }
        if (seen.has(at)) continue
        seen.add(at)
        listener(row.engine_id, { at, samples: row.samples })
      }
      for (const seen of this.#seen.values()) for (const at of seen) if (at < since) seen.delete(at)
      if (Date.now() - this.#lastCleanup > 30_000) {
        this.#lastCleanup = Date.now()
        await this.#pool.query('DELETE FROM sluice.cluster_metric_ticks WHERE at < $1', [
          Date.now() - retentionSeconds * 1000,
        ])
      }
    } catch (error) {
      this.#log.debug({ err: error }, 'could not read the other engines’ metrics')
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#polling
  }
}
