import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort, testPostgres } from '@sluice/test-database'

/**
 * A PostgreSQL server of one test file's own, which that file may stop, restart and break.
 * The shared server on 127.0.0.1:5432 is never touched: other engineers' tests run on it.
 */
export interface PrivatePostgres {
  readonly port: number
  /** The superuser's password (random per server): tests check it never leaks. */
  readonly password: string
  /** A URL for `database` as the superuser (or as `user`/`password` when given). */
  url(database?: string, credentials?: { user: string; password: string }): string
  /** Stops the server (fast shutdown: every session is terminated) and starts it again. */
  restart(downtimeMs?: number): Promise<void>
  stop(): Promise<void>
  start(): Promise<void>
  /** Terminates every client backend of `database` but the caller's; returns how many. */
  terminateBackends(database: string): Promise<number>
  /** Creates a database and returns its superuser URL. */
  createDatabase(name: string): Promise<string>
  /** Stops the server for good and removes its data folder. */
  destroy(): Promise<void>
}

/**
 * Initialises and starts a private PostgreSQL in a folder under the OS temp dir.
 *
 * @example
 * const server = await startPrivatePostgres({ maxConnections: 50 })
 * const url = await server.createDatabase('faults')
 * await server.restart()
 * await server.destroy()
 */
export async function startPrivatePostgres(
  options: { maxConnections?: number } = {},
): Promise<PrivatePostgres> {
  const postgres = await testPostgres()
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-reliability-pg-'))
  // The cluster inside belongs to the server's user (postgres, as root): it must enter this folder.
  await chmod(dataDir, 0o755)
  const clusterDir = join(dataDir, 'pg')
  const port = await freePort()
  const password = `pw-${randomBytes(9).toString('hex')}`
  const settings = { max_connections: options.maxConnections ?? 200, fsync: 'off' }
  await postgres.init(clusterDir, { password })
  const startServer = async (): Promise<void> => {
    await postgres.start(clusterDir, { port, settings })
    postgres.stopAtExit(clusterDir)
  }
  await startServer()
  let running = true

  const url = (database = 'postgres', credentials?: { user: string; password: string }): string => {
    const user = encodeURIComponent(credentials?.user ?? 'postgres')
    const secret = encodeURIComponent(credentials?.password ?? password)
    return `postgres://${user}:${secret}@127.0.0.1:${port}/${database}`
  }

  const withAdmin = async <T>(
    database: string,
    work: (client: pg.Client) => Promise<T>,
  ): Promise<T> => {
    const client = new pg.Client({ connectionString: url(database) })
    client.on('error', () => undefined)
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  const stop = async (): Promise<void> => {
    if (!running) return
    running = false
    await postgres.stop(clusterDir)
  }
  const start = async (): Promise<void> => {
    if (running) return
    await startServer()
    running = true
  }

  return {
    port,
    password,
    url,
    stop,
    start,
    async restart(downtimeMs = 0) {
      await stop()
      if (downtimeMs > 0) await new Promise((resolve) => setTimeout(resolve, downtimeMs))
      await start()
    },
    async terminateBackends(database) {
      return withAdmin('postgres', async (client) => {
        const { rows } = await client.query<{ terminated: boolean }>(
          `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
          [database],
        )
        return rows.filter((row) => row.terminated).length
      })
    },
    async createDatabase(name) {
      await withAdmin('postgres', (client) =>
        client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`),
      )
      return url(name)
    },
    async destroy() {
      await stop().catch(() => undefined)
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
