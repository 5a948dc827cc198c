import { randomUUID } from 'node:crypto'
import pg from 'pg'
import type { Logger } from '../logger'
import {
  ingestLogFull,
  type AppendedRequest,
  type IngestConsumer,
  type IngestLog,
  type IngestLogDepth,
  type IngestLogSettings,
  type IngestRequest,
  type LoggedRequest,
} from './ingestLog'

/*
 * The ingest log in the engine's own database (table sluice.ingest_log, migration 20): the
 * default, so an engine on its embedded database has a durable log with nothing else installed.
 * Engines claim rows with FOR UPDATE SKIP LOCKED, so two never take the same request; a claim
 * is a lease the claiming engine renews while it handles the request, and one it stops renewing
 * (the engine died) runs out and lets another engine claim the request again.
 */

interface LogRow {
  request_id: string
  pipeline: string
  key: string
  body_hash: string
  body: unknown
  accepted_at: Date
  deliveries: number
}

const columns = 'request_id, pipeline, key, body_hash, body, accepted_at, deliveries'

const toLogged = (row: LogRow): LoggedRequest => ({
  requestId: row.request_id,
  pipeline: row.pipeline,
  key: row.key,
  bodyHash: row.body_hash,
  body: row.body,
  acceptedAt: row.accepted_at,
  deliveries: row.deliveries,
})

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** How often an idle consumer looks for requests other engines appended. */
const POLL_MS = 200
/** A rejected request waits this long before its next delivery, doubling up to the lease. */
const FIRST_RETRY_DELAY_MS = 250
/** Below this share of the depth an append trusts its recent count instead of counting again. */
const TRUSTED_SHARE = 0.5
/** How long a count of the log is trusted. */
const COUNT_TRUST_MS = 1_000

/** Where the log connects, and how it behaves. */
export interface PostgresIngestLogOptions extends IngestLogSettings {
  /** The engine's database. The log keeps a small pool of its own there. */
  readonly connectionString: string
  readonly log?: Logger
}

/**
 * The PostgreSQL IngestLog (see the module comment).
 *
 * @example
 * const log = new PostgresIngestLog({ connectionString: databaseUrl, maxDepth: 100_000, leaseMs: 30_000 })
 * const { requestId } = await log.append({ pipeline: 'orders', key, bodyHash, body })
 * const consumer = log.consume(async (request) => runIt(request), { concurrency: 16 })
 * await consumer.stop()
 * await log.close()
 */
export class PostgresIngestLog implements IngestLog {
  readonly kind = 'postgres' as const
  readonly #pool: pg.Pool
  readonly #settings: IngestLogSettings
  readonly #log: Logger | undefined
  /** Who holds a claim: this log, once per process (a restart is another holder). */
  readonly #holder = randomUUID()
  readonly #consumers = new Set<PostgresConsumer>()
  #closed = false
  /** The last count of rows and when it was made; appends made since by this log. */
  #counted = { rows: 0, at: 0, appendedSince: 0 }

  constructor(options: PostgresIngestLogOptions) {
    this.#settings = { maxDepth: options.maxDepth, leaseMs: options.leaseMs }
    this.#log = options.log
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: 4,
      application_name: 'sluice-engine-ingest-log',
    })
    this.#pool.on('error', (error) => {
      this.#log?.warn({ err: error }, 'idle connection of the ingest log failed')
    })
  }

  async append(request: IngestRequest): Promise<AppendedRequest> {
    for (let attempt = 1; ; attempt += 1) {
      const counted = this.#counted
      const trusted =
        Date.now() - counted.at < COUNT_TRUST_MS &&
        counted.rows + counted.appendedSince < this.#settings.maxDepth * TRUSTED_SHARE
      // Counting stops at maxDepth rows, so a full log costs no more than a nearly full one.
      const result = await this.#pool.query<{
        held: string | null
        request_id: string | null
        accepted_at: Date | null
      }>(
        `WITH room AS (
           SELECT CASE WHEN $6 THEN NULL
                  ELSE (SELECT count(*) FROM (SELECT 1 FROM sluice.ingest_log LIMIT $7) held) END AS held
         ),
         inserted AS (
           INSERT INTO sluice.ingest_log (request_id, pipeline, key, body_hash, body)
           SELECT $1, $2, $3, $4, $5 FROM room WHERE room.held IS NULL OR room.held < $7
           ON CONFLICT (pipeline, key) DO NOTHING
           RETURNING request_id, accepted_at
         )
         SELECT room.held, inserted.request_id, inserted.accepted_at
         FROM room LEFT JOIN inserted ON true`,
        [
          randomUUID(),
          request.pipeline,
          request.key,
          request.bodyHash,
          JSON.stringify(request.body),
          trusted,
          this.#settings.maxDepth,
        ],
      )
      const row = result.rows[0]
      const held = row?.held === null || row?.held === undefined ? undefined : Number(row.held)
      if (held !== undefined) this.#counted = { rows: held, at: Date.now(), appendedSince: 0 }
      if (row?.request_id) {
        this.#counted.appendedSince += 1
        for (const consumer of this.#consumers) consumer.wake()
        return { requestId: row.request_id, acceptedAt: row.accepted_at as Date, duplicate: false }
      }
      // Held already (perhaps committed after this statement's snapshot was taken): the first.
      const existing = await this.#pool.query<{ request_id: string; accepted_at: Date }>(
        'SELECT request_id, accepted_at FROM sluice.ingest_log WHERE pipeline = $1 AND key = $2',
        [request.pipeline, request.key],
      )
      const first = existing.rows[0]
      if (first)
        return { requestId: first.request_id, acceptedAt: first.accepted_at, duplicate: true }
      if (held !== undefined && held >= this.#settings.maxDepth)
        throw ingestLogFull(this.#settings.maxDepth)
      // The first was handled and removed in between: store this one as new.
      if (attempt >= 3) throw new Error(`could not append to the ingest log after ${attempt} tries`)
    }
  }

  consume(
    handle: (request: LoggedRequest) => Promise<void>,
    options: { readonly concurrency: number },
  ): IngestConsumer {
    if (this.#closed) throw new Error('the ingest log is closed')
    const consumer = new PostgresConsumer(
      this.#pool,
      this.#settings.leaseMs,
      this.#holder,
      handle,
      Math.max(1, Math.floor(options.concurrency)),
      this.#log,
      () => this.#closed,
    )
    this.#consumers.add(consumer)
    consumer.start()
    return {
      stop: async () => {
        await consumer.stop()
        this.#consumers.delete(consumer)
      },
    }
  }

  async find(requestId: string): Promise<LoggedRequest | undefined> {
    if (!uuidPattern.test(requestId)) return undefined
    const result = await this.#pool.query<LogRow>(
      `SELECT ${columns} FROM sluice.ingest_log WHERE request_id = $1`,
      [requestId],
    )
    const row = result.rows[0]
    return row ? toLogged(row) : undefined
  }

  async depth(): Promise<ReadonlyMap<string, IngestLogDepth>> {
    const result = await this.#pool.query<{ pipeline: string; queued: string; oldest: Date }>(
      `SELECT pipeline, count(*) AS queued, min(accepted_at) AS oldest
       FROM sluice.ingest_log GROUP BY pipeline`,
    )
    return new Map(
      result.rows.map((row) => [
        row.pipeline,
        { queued: Number(row.queued), oldestQueuedAt: row.oldest },
      ]),
    )
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const consumer of this.#consumers) consumer.abandon()
    this.#consumers.clear()
    await this.#pool.end()
  }
}

/** One `consume` call: claims up to `concurrency` requests, renews their leases, acks or releases. */
class PostgresConsumer {
  /** Requests being handled, by id, with the delivery count their claim made. */
  readonly #running = new Map<string, number>()
  readonly #handlers = new Set<Promise<void>>()
  #stopping = false
  #loop: Promise<void> | undefined
  #renewTimer: NodeJS.Timeout | undefined
  #wake: (() => void) | undefined

  constructor(
    private readonly pool: pg.Pool,
    private readonly leaseMs: number,
    private readonly holder: string,
    private readonly handle: (request: LoggedRequest) => Promise<void>,
    private readonly concurrency: number,
    private readonly log: Logger | undefined,
    private readonly logClosed: () => boolean,
  ) {}

  start(): void {
    this.#loop = this.#claimLoop()
    // A third of the lease: two renewals may fail (a slow database) before the lease runs out.
    this.#renewTimer = setInterval(
      () => {
        void this.#renew()
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    )
  }

  /** Something may be claimable now (this engine appended, or a slot freed). */
  wake(): void {
    this.#wake?.()
  }

  async stop(): Promise<void> {
    this.#stopping = true
    this.wake()
    await this.#loop
    while (this.#handlers.size > 0) await Promise.allSettled([...this.#handlers])
    clearInterval(this.#renewTimer)
  }

  /** The log closed under it: stop everything, acknowledge nothing more. */
  abandon(): void {
    this.#stopping = true
    clearInterval(this.#renewTimer)
    this.wake()
  }

  /** Read through a call: the flag changes while the claim loop awaits. */
  #stopped(): boolean {
    return this.#stopping
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = done
    })
  }

  async #claimLoop(): Promise<void> {
    while (!this.#stopping) {
      const free = this.concurrency - this.#running.size
      if (free <= 0) {
        await this.#idle(POLL_MS)
        continue
      }
      let claimed: LogRow[]
      try {
        claimed = await this.#claim(free)
      } catch (error) {
        if (this.#stopped()) return
        this.log?.warn({ err: error }, 'could not claim from the ingest log: trying again')
        await this.#idle(1_000)
        continue
      }
      if (this.#stopped()) {
        // Claimed just as the consumer stopped: give them back at once.
        await this.#release(
          claimed.map((row) => [row.request_id, row.deliveries] as const),
          0,
        )
        return
      }
      for (const row of claimed) this.#run(toLogged(row))
      if (claimed.length < free) await this.#idle(POLL_MS)
    }
  }

  async #claim(limit: number): Promise<LogRow[]> {
    const result = await this.pool.query<LogRow>(
      `UPDATE sluice.ingest_log AS l
       SET available_at = now() + make_interval(secs => $2::float8 / 1000),
           claimed_by = $3,
           deliveries = l.deliveries + 1
       FROM (SELECT request_id FROM sluice.ingest_log
             WHERE available_at <= now()
             ORDER BY accepted_at
             LIMIT $1
             FOR UPDATE SKIP LOCKED) AS claimable
       WHERE l.request_id = claimable.request_id
       RETURNING ${columns.replace(/(\w+)/g, 'l.$1')}`,
      [limit, this.leaseMs, this.holder],
    )
    return result.rows.sort((a, b) => a.accepted_at.getTime() - b.accepted_at.getTime())
  }

  #run(request: LoggedRequest): void {
    this.#running.set(request.requestId, request.deliveries)
    const handling = (async () => {
      let handled = false
      try {
        await this.handle(request)
        handled = true
      } catch (error) {
        this.log?.warn(
          { err: error, requestId: request.requestId, deliveries: request.deliveries },
          'async request failed before its outcome was recorded: it is delivered again',
        )
      }
      if (this.logClosed()) return
      try {
        if (handled) await this.#ack(request.requestId)
        else
          await this.#release(
            [[request.requestId, request.deliveries]],
            Math.min(this.leaseMs, FIRST_RETRY_DELAY_MS * 2 ** (request.deliveries - 1)),
          )
      } catch (error) {
        // Its lease runs out and it is delivered again; the keyed execution answers it from there.
        this.log?.warn(
          { err: error, requestId: request.requestId },
          'could not settle the async request in the ingest log',
        )
      }
    })()
    this.#handlers.add(handling)
    void handling.finally(() => {
      this.#handlers.delete(handling)
      this.#running.delete(request.requestId)
      this.wake()
    })
  }

  async #ack(requestId: string): Promise<void> {
    await this.pool.query('DELETE FROM sluice.ingest_log WHERE request_id = $1', [requestId])
  }

  async #release(requests: readonly (readonly [string, number])[], delayMs: number): Promise<void> {
    if (requests.length === 0) return
    await this.pool.query(
      `UPDATE sluice.ingest_log AS l
       SET available_at = now() + make_interval(secs => $4::float8 / 1000), claimed_by = NULL
       FROM unnest($1::uuid[], $2::int[]) AS r(request_id, deliveries)
       WHERE l.request_id = r.request_id AND l.deliveries = r.deliveries AND l.claimed_by = $3`,
      [
        requests.map(([id]) => id),
        requests.map(([, deliveries]) => deliveries),
        this.holder,
        delayMs,
      ],
    )
  }

  async #renew(): Promise<void> {
    if (this.#running.size === 0 || this.logClosed()) return
    try {
      await this.pool.query(
        `UPDATE sluice.ingest_log
         SET available_at = now() + make_interval(secs => $2::float8 / 1000)
         WHERE request_id = ANY($1::uuid[]) AND claimed_by = $3`,
        [[...this.#running.keys()], this.leaseMs, this.holder],
      )
    } catch (error) {
      if (!this.logClosed())
        this.log?.warn({ err: error }, 'could not renew the leases of running async requests')
    }
  }
}
