import pg from 'pg'
import type { Logger } from '../logger'

/** What the sync drives: the engine's pipelines, applied from the store. */
export interface SyncedPipelines {
  /** Re-reads every stored pipeline and applies what differs. */
  reload(): Promise<void>
  /** One pipeline changed (`revision` undefined: deleted). */
  changed(name: string, revision: number | undefined): Promise<void>
}

/** The channel the `sluice.pipelines` trigger notifies (migration 40). */
export const PIPELINES_CHANNEL = 'sluice_pipelines'

/** How often the listening connection proves it is alive; a dead one is replaced. */
const pingIntervalMs = 5_000
const reconnectDelaysMs = [100, 250, 500, 1_000, 2_000, 5_000]

interface ChangeNotice {
  name: string
  revision: number | null
}

const isChangeNotice = (value: unknown): value is ChangeNotice =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { name?: unknown }).name === 'string' &&
  ((value as { revision?: unknown }).revision === null ||
    typeof (value as { revision?: unknown }).revision === 'number')

/**
 * Keeps this engine's pipelines the same as every other engine's on its database: one dedicated
 * connection LISTENs on `sluice_pipelines` (notified by a trigger at each commit) and hands each
 * change to the registry. After the connection is lost it reconnects, LISTENs again and then
 * re-reads every pipeline, so a change made while it was away is not missed.
 *
 * @example
 * const sync = new ConfigSync(databaseUrl, registry, log)
 * await sync.start() // resolves once listening and loaded
 * await sync.stop()
 */
export class ConfigSync {
  readonly #databaseUrl: string
  readonly #pipelines: SyncedPipelines
  readonly #log: Logger
  #client: pg.Client | undefined
  #ping: NodeJS.Timeout | undefined
  #retry: NodeJS.Timeout | undefined
  #failures = 0
  #stopped = false

  constructor(databaseUrl: string, pipelines: SyncedPipelines, log: Logger) {
    this.#databaseUrl = databaseUrl
    this.#pipelines = pipelines
    this.#log = log
  }

  /** Listens, then loads every stored pipeline. Throws if the database cannot be reached now. */
  async start(): Promise<void> {
    await this.#connect()
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#databaseUrl,
      application_name: 'sluice-engine-config-sync',
      keepAlive: true,
    })
    client.on('error', (error) => {
      this.#lost(client, error)
    })
    client.on('end', () => {
      this.#lost(client, undefined)
    })
    client.on('notification', (message) => {
      if (message.channel !== PIPELINES_CHANNEL || message.payload === undefined) return
      let notice: unknown
      try {
        notice = JSON.parse(message.payload)
      } catch {
        notice = undefined
      }
      if (!isChangeNotice(notice)) {
        this.#log.warn({ payload: message.payload }, 'ignored a malformed pipeline change notice')
        return
      }
      void this.#pipelines.changed(notice.name, notice.revision ?? undefined)
    })
    try {
      await client.connect()
      // Listen first, then read: a change made in between is both read and notified (applied once).
      await client.query(`LISTEN ${PIPELINES_CHANNEL}`)
      this.#client = client
      await this.#pipelines.reload()
    } catch (error) {
      this.#client = undefined
      await client.end().catch(() => undefined)
      throw error
    }
    this.#failures = 0
    this.#ping = setInterval(() => {
      client.query('SELECT 1').catch((error: unknown) => {
        this.#lost(client, error)
      })
    }, pingIntervalMs)
    this.#ping.unref()
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client || this.#stopped) return
    this.#client = undefined
    clearInterval(this.#ping)
    this.#log.warn(
      { err: error },
      'lost the pipeline change stream: reconnecting, then re-reading every pipeline',
    )
    void client.end().catch(() => undefined)
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    const delay = reconnectDelaysMs[Math.min(this.#failures, reconnectDelaysMs.length - 1)] ?? 5_000
    this.#failures += 1
    this.#retry = setTimeout(() => {
      if (this.#stopped) return
      this.#connect().then(
        () => {
          this.#log.info('pipeline change stream restored; every pipeline re-read')
        },
        (error: unknown) => {
          this.#log.warn({ err: error }, 'pipeline change stream still down')
          this.#scheduleReconnect()
        },
      )
    }, delay)
    this.#retry.unref()
  }

  /** Stops listening. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#ping)
    clearTimeout(this.#retry)
    const client = this.#client
    this.#client = undefined
    await client?.end().catch(() => undefined)
  }
}
