import type pg from 'pg'
import type { ClusterMember, ClusterView, MemberLoad } from '@sluice/contract'
import type { Logger } from '../logger'
import type { EngineIdentity } from './engineIdentity'

/** How often each engine says it is alive. */
export const HEARTBEAT_INTERVAL_MS = 1_000
/** A member silent this long is dropped: a few missed heartbeats, not one slow one. */
export const HEARTBEAT_TIMEOUT_SECONDS = 5

interface EngineRow {
  id: string
  url: string
  version: string
  started_at: Date
  heartbeat_at: Date
  load: Partial<MemberLoad>
}

const emptyLoad: MemberLoad = {
  pipelines: [],
  queriesPerSecond: 0,
  queueDepth: 0,
  inFlight: 0,
  cpuPercent: 0,
  rssBytes: 0,
}

/**
 * The id of the cluster on this database (created by migration 41): it names the cluster's NATS
 * subjects, so clusters sharing one NATS never hear each other.
 *
 * @example
 * const id = await readClusterId(pool) // e.g. '3f2a…'
 */
export async function readClusterId(pool: pg.Pool): Promise<string> {
  const result = await pool.query<{ id: string }>('SELECT id FROM sluice.cluster')
  const row = result.rows[0]
  if (!row) throw new Error('sluice.cluster has no id: the engine database was not migrated')
  return row.id
}

/**
 * This engine's membership of the cluster: a row in `sluice.engines` (id, version, advertised
 * URL, start time) refreshed by a heartbeat each second with what it runs and its load. Every
 * engine drops the rows whose heartbeat stopped, so a killed engine leaves the list within
 * `HEARTBEAT_TIMEOUT_SECONDS`. Times are the database's, so the engines' clocks need not agree.
 *
 * @example
 * const membership = new Membership({ pool, identity, load: () => currentLoad(), log, metricsTransport: 'postgres' })
 * await membership.join()
 * const view = await membership.view()
 * await membership.leave()
 */
export class Membership {
  readonly #pool: pg.Pool
  readonly #identity: EngineIdentity
  readonly #load: () => MemberLoad
  readonly #log: Logger
  readonly #metricsTransport: ClusterView['metricsTransport']
  #timer: NodeJS.Timeout | undefined
  #beating: Promise<void> | undefined
  #left = false

  constructor(options: {
    readonly pool: pg.Pool
    readonly identity: EngineIdentity
    readonly load: () => MemberLoad
    readonly log: Logger
    readonly metricsTransport: ClusterView['metricsTransport']
  }) {
    this.#pool = options.pool
    this.#identity = options.identity
    this.#load = options.load
    this.#log = options.log
    this.#metricsTransport = options.metricsTransport
  }

  /** Registers this engine and starts its heartbeat (which registers it later if this fails). */
  async join(): Promise<void> {
    try {
      const existing = await this.#pool.query<{ url: string; fresh: boolean }>(
        `SELECT url, heartbeat_at > now() - make_interval(secs => $2) AS fresh
         FROM sluice.engines WHERE id = $1`,
        [this.#identity.id, HEARTBEAT_TIMEOUT_SECONDS],
      )
      const other = existing.rows[0]
      if (other?.fresh && other.url !== this.#identity.url) {
        this.#log.warn(
          { engine: this.#identity.id, otherUrl: other.url },
          'another live engine has this SLUICE_ENGINE_ID: give each engine its own; taking the id over',
        )
      }
      await this.#register()
      this.#log.info(
        { engine: this.#identity.id, url: this.#identity.url },
        'joined the cluster on the engine database',
      )
    } catch (error) {
      this.#log.warn({ err: error }, 'could not join the cluster yet: the heartbeat retries')
    }
    const beat = (): void => {
      this.#timer = setTimeout(() => {
        this.#beating = this.#heartbeat().finally(() => {
          this.#beating = undefined
          if (!this.#left) beat()
        })
      }, HEARTBEAT_INTERVAL_MS)
      this.#timer.unref()
    }
    beat()
  }

  async #register(): Promise<void> {
    await this.#pool.query(
      `INSERT INTO sluice.engines (id, url, version, started_at, heartbeat_at, load)
       VALUES ($1, $2, $3, $4, now(), $5)
       ON CONFLICT (id) DO UPDATE SET url = $2, version = $3, started_at = $4,
         heartbeat_at = now(), load = $5`,
      [
        this.#identity.id,
        this.#identity.url,
        this.#identity.version,
        this.#identity.startedAt,
        JSON.stringify(this.#load()),
      ],
    )
  }

  async #heartbeat(): Promise<void> {
    try {
      const updated = await this.#pool.query(
        'UPDATE sluice.engines SET heartbeat_at = now(), load = $2 WHERE id = $1',
        [this.#identity.id, JSON.stringify(this.#load())],
      )
      // Dropped by the others after a long stall (a paused process, a cut link): join again.
      if (updated.rowCount === 0 && !this.#left) {
        await this.#register()
        this.#log.warn(
          'this engine had been dropped from the cluster (heartbeat late): joined again',
        )
      }
      const dropped = await this.#pool.query<{ id: string; url: string }>(
        `DELETE FROM sluice.engines WHERE heartbeat_at < now() - make_interval(secs => $1)
         RETURNING id, url`,
        [HEARTBEAT_TIMEOUT_SECONDS],
      )
      for (const row of dropped.rows) {
        this.#log.warn(
          { engine: row.id, url: row.url },
          `engine dropped from the cluster: no heartbeat for ${String(HEARTBEAT_TIMEOUT_SECONDS)} s`,
        )
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'cluster heartbeat failed: retrying')
    }
  }

  /** The live members (heartbeat within the timeout), oldest first. */
  async view(): Promise<ClusterView> {
    const result = await this.#pool.query<EngineRow>(
      `SELECT * FROM sluice.engines WHERE heartbeat_at > now() - make_interval(secs => $1)
       ORDER BY started_at, id`,
      [HEARTBEAT_TIMEOUT_SECONDS],
    )
    const members: ClusterMember[] = result.rows.map((row) => ({
      id: row.id,
      url: row.url,
      version: row.version,
      startedAt: row.started_at.toISOString(),
      heartbeatAt: row.heartbeat_at.toISOString(),
      self: row.id === this.#identity.id,
      load: { ...emptyLoad, ...row.load },
    }))
    return {
      self: this.#identity.id,
      heartbeatTimeoutSeconds: HEARTBEAT_TIMEOUT_SECONDS,
      metricsTransport: this.#metricsTransport,
      members,
    }
  }

  /** Stops the heartbeat and leaves the list at once (a clean stop, not a timeout). */
  async leave(): Promise<void> {
    this.#left = true
    clearTimeout(this.#timer)
    await this.#beating
    await this.#pool
      .query('DELETE FROM sluice.engines WHERE id = $1', [this.#identity.id])
      .catch((error: unknown) => {
        this.#log.warn({ err: error }, 'could not leave the cluster list: the others drop it soon')
      })
  }
}
