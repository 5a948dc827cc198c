import pg from 'pg'
import { ledgerTableName, ledgerTableStatements } from '@sluice/pipeline-core'
import type { Logger } from '../logger'

/**
 * The ledger table in each target database (`<SLUICE_LEDGER_SCHEMA>.ledger`, pipeline-core's
 * shape): created on first use, read when a crashed run is taken over, purged after the
 * retention. One small pool per target, opened only once a keyed request needs it.
 *
 * @example
 * const ledgers = new TargetLedgers('sluice', log)
 * await ledgers.ensure(url)
 * const applied = await ledgers.appliedIndexes(url, 'orders:2b1f…')
 */
export class TargetLedgers {
  readonly #pools = new Map<string, pg.Pool>()
  readonly #ready = new Map<string, Promise<void>>()

  constructor(
    readonly schema: string,
    private readonly log: Logger,
  ) {}

  #pool(url: string): pg.Pool {
    let pool = this.#pools.get(url)
    if (!pool) {
      pool = new pg.Pool({
        connectionString: url,
        max: 2,
        idleTimeoutMillis: 10_000,
        application_name: 'sluice-engine-ledger',
      })
      pool.on('error', (error) => {
        this.log.warn({ err: error }, 'idle connection to a target ledger failed')
      })
      this.#pools.set(url, pool)
    }
    return pool
  }

  /** Creates the ledger table in the target if missing (once per target and process). */
  ensure(url: string): Promise<void> {
    let ready = this.#ready.get(url)
    if (!ready) {
      ready = this.#create(url)
      this.#ready.set(url, ready)
      // A failure is not remembered: the next keyed request tries again.
      ready.catch(() => this.#ready.delete(url))
    }
    return ready
  }

  async #create(url: string): Promise<void> {
    const client = await this.#pool(url).connect()
    try {
      await client.query('BEGIN')
      // Two engines creating it at once would collide on the catalog: one waits for the other.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        ledgerTableName(this.schema),
      ])
      for (const sql of ledgerTableStatements(this.schema)) await client.query(sql)
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  /** The query indexes of `ledgerKey` that committed. */
  async appliedIndexes(url: string, ledgerKey: string): Promise<Set<number>> {
    const found = await this.#pool(url).query<{ query_index: number }>(
      `SELECT query_index FROM ${ledgerTableName(this.schema)} WHERE key = $1`,
      [ledgerKey],
    )
    return new Set(found.rows.map((row) => row.query_index))
  }

  /** Deletes ledger rows older than `olderThanMs` in every target used so far. */
  async purge(olderThanMs: number): Promise<void> {
    for (const [url, ready] of this.#ready) {
      try {
        await ready
        await this.#pool(url).query(
          `DELETE FROM ${ledgerTableName(this.schema)}
            WHERE applied_at < now() - make_interval(secs => $1 / 1000.0)`,
          [olderThanMs],
        )
      } catch (error) {
        this.log.warn({ err: error }, 'could not purge a target ledger')
      }
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#pools.values()].map((pool) => pool.end()))
    this.#pools.clear()
    this.#ready.clear()
  }
}
