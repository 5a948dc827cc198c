import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Everything one e2e run shares: where the engine, the console and the database are. */
export interface E2eRun {
  readonly databaseName: string
  /** Where the engine's launcher writes the run database's URL once it exists (the server is only known then). */
  readonly databaseFile: string
  readonly enginePort: number
  readonly consolePort: number
  readonly engineUrl: string
  readonly consoleUrl: string
  /** The engine's bearer token: tests send it to the ingest API, the console's server adds it to tRPC calls. */
  readonly apiToken: string
  readonly jaegerUiUrl: string
}

const runVariable = 'SLUICE_E2E_RUN'

/** Two free ports on 127.0.0.1, found synchronously (the config is evaluated synchronously). */
function freePorts(count: number): number[] {
  const script = `
    const net = require('node:net')
    const servers = Array.from({ length: ${count} }, () => net.createServer())
    Promise.all(servers.map((s) => new Promise((r) => s.listen(0, '127.0.0.1', () => r(s.address().port)))))
      .then((ports) => { process.stdout.write(JSON.stringify(ports)); servers.forEach((s) => s.close()) })`
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }),
  ) as number[]
}

/**
 * The run database's connection string, as the engine's launcher recorded it: PostgreSQL on
 * 127.0.0.1:5432 (or `TEST_DATABASE_URL`), or an embedded server when there is none.
 *
 * @example
 * const pool = new pg.Pool({ connectionString: runDatabaseUrl() })
 */
export function runDatabaseUrl(): string {
  const { databaseUrl } = JSON.parse(readFileSync(e2eRun().databaseFile, 'utf8')) as {
    databaseUrl: string
  }
  return databaseUrl
}

/**
 * The run's settings, chosen once by the Playwright runner (free ports, a fresh database name, a
 * random token) and handed to its workers through an environment variable, so every process of
 * the run agrees on them.
 *
 * @example
 * const { engineUrl, apiToken } = e2eRun()
 */
export function e2eRun(): E2eRun {
  const existing = process.env[runVariable]
  if (existing) return JSON.parse(existing) as E2eRun
  const databaseName = `sluice_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const [enginePort = 0, consolePort = 0] = freePorts(2)
  const run: E2eRun = {
    databaseName,
    databaseFile: join(tmpdir(), `${databaseName}.json`),
    enginePort,
    consolePort,
    engineUrl: `http://127.0.0.1:${enginePort}`,
    consoleUrl: `http://127.0.0.1:${consolePort}`,
    apiToken: randomBytes(24).toString('hex'),
    jaegerUiUrl: 'http://jaeger.e2e.invalid:16686',
  }
  process.env[runVariable] = JSON.stringify(run)
  return run
}
