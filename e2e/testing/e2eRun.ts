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
  /** The small OpenID Connect provider the run starts (oidc-provider), and its client. */
  readonly oidc?: {
    readonly port: number
    readonly issuer: string
    readonly clientId: string
    readonly clientSecret: string
  }
  /**
   * The local users the engine's launcher creates with `npm run users`, one per role (none: the
   * engine runs with sign-in off, as `npm start` does).
   */
  readonly users: Readonly<Partial<Record<E2eUserKey, E2eUser>>>
}

export type E2eUserKey = 'admin' | 'operator' | 'viewer' | 'limited'

/** A local user of the run. */
export interface E2eUser {
  readonly name: string
  readonly role: 'viewer' | 'operator' | 'admin'
  readonly password: string
}

const runVariable = 'SLUICE_E2E_RUN'

/** Free ports on 127.0.0.1, found synchronously (the config is evaluated synchronously). */
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
  const [enginePort = 0, consolePort = 0, oidcPort = 0] = freePorts(3)
  const password = () => randomBytes(12).toString('base64url')
  const run: E2eRun = {
    databaseName,
    databaseFile: join(tmpdir(), `${databaseName}.json`),
    enginePort,
    consolePort,
    engineUrl: `http://127.0.0.1:${enginePort}`,
    consoleUrl: `http://127.0.0.1:${consolePort}`,
    apiToken: randomBytes(24).toString('hex'),
    jaegerUiUrl: 'http://jaeger.e2e.invalid:16686',
    oidc: {
      port: oidcPort,
      issuer: `http://127.0.0.1:${oidcPort}`,
      clientId: 'sluice-console',
      clientSecret: randomBytes(24).toString('hex'),
    },
    users: {
      admin: { name: 'e2e-admin', role: 'admin', password: password() },
      operator: { name: 'e2e-operator', role: 'operator', password: password() },
      viewer: { name: 'e2e-viewer', role: 'viewer', password: password() },
      // For the rate-limit test alone: its failed sign-ins lock only this name.
      limited: { name: 'e2e-limited', role: 'viewer', password: password() },
    },
  }
  process.env[runVariable] = JSON.stringify(run)
  return run
}

/**
 * One of the run's users.
 *
 * @example
 * const { name, password } = e2eUser('operator')
 */
export function e2eUser(key: E2eUserKey): E2eUser {
  const user = e2eRun().users[key]
  if (!user) throw new Error(`this run has no ${key} user`)
  return user
}
