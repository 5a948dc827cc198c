import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/** Everything one e2e run shares: where the engine, the console and the database are. */
export interface E2eRun {
  /** The server the run's database lives on (its `test` database, say). */
  readonly adminUrl: string
  readonly databaseName: string
  /** The run's own database, which the engine uses and the tests look into. */
  readonly databaseUrl: string
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
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as number[]
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
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
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const databaseName = `sluice_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const [enginePort = 0, consolePort = 0] = freePorts(2)
  const run: E2eRun = {
    adminUrl,
    databaseName,
    databaseUrl: withDatabase(adminUrl, databaseName),
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
