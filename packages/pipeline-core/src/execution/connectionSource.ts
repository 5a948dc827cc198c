import pg from 'pg'
import { PipelinedConnection } from './pipelinedConnection'

/** Where a pipeline gets its connections. */
export type ConnectionInput = string | pg.PoolConfig | pg.Pool

/**
 * The pool a pipeline draws pipelined connections from. A pool we created is sized by
 * `maxConnections` and ended by `end()`; a pool the caller gave us is only borrowed from
 * (never ended, never resized), with `maxConnections` still bounding how many we hold at once.
 */
export class ConnectionSource {
  private readonly pool: pg.Pool
  private readonly owned: boolean
  private limit: number
  private held = 0
  private readonly waiting: (() => void)[] = []

  constructor(connection: ConnectionInput, maxConnections: number) {
    this.limit = maxConnections
    if (connection instanceof pg.Pool) {
      this.pool = connection
      this.owned = false
    } else {
      const config: pg.PoolConfig =
        typeof connection === 'string' ? { connectionString: connection } : { ...connection }
      // Without a connect timeout an unreachable server would hold a batch for the OS's TCP
      // timeout (minutes); keep-alive notices a peer that vanished. Both can be overridden.
      this.pool = new pg.Pool({
        connectionTimeoutMillis: 10_000,
        keepAlive: true,
        ...config,
        max: maxConnections,
      })
      this.owned = true
      // An idle client that errors (the server restarted, say) is dropped by the pool; without a
      // listener the error would crash the process.
      this.pool.on('error', () => undefined)
    }
  }

  /** Changes how many connections may be held at once (live `configure`). */
  setLimit(maxConnections: number): void {
    this.limit = maxConnections
    if (this.owned) (this.pool.options as { max: number }).max = maxConnections
    while (this.held < this.limit && this.waiting.length > 0) {
      this.held++
      this.waiting.shift()?.()
    }
  }

  /** Takes a connection (waits while `maxConnections` are held). Rejects when PostgreSQL cannot be reached. */
  async acquire(): Promise<PipelinedConnection> {
    await this.acquireSlot()
    try {
      const client = await this.pool.connect()
      return new PipelinedConnection(client, (destroy) => {
        client.release(destroy)
        this.releaseSlot()
      })
    } catch (error) {
      this.releaseSlot()
      throw error
    }
  }

  /** Runs `work` with a connection and always releases it. */
  async withConnection<T>(work: (connection: PipelinedConnection) => Promise<T>): Promise<T> {
    const connection = await this.acquire()
    try {
      return await work(connection)
    } finally {
      connection.release()
    }
  }

  /** Ends the pool if we created it. */
  async end(): Promise<void> {
    if (this.owned) await this.pool.end()
  }

  private async acquireSlot(): Promise<void> {
    if (this.held < this.limit) {
      this.held++
      return
    }
    // The releasing side hands its slot over, so `held` already counts us when we wake.
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  private releaseSlot(): void {
    const next = this.held <= this.limit ? this.waiting.shift() : undefined
    if (next) next()
    else this.held--
  }
}
