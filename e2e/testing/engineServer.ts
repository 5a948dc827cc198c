/*
 * Playwright's webServer for the engine: finds a PostgreSQL server the way every Sluice test
 * suite does (TEST_DATABASE_URL, else 127.0.0.1:5432/test, else an embedded one), creates the
 * run's own database there, adds the run's users with the users command, and runs a real engine on
 * it (no demo load), signing in with those users and the run's OpenID Connect provider. On SIGTERM it waits for
 * the engine to drain and stop, drops the database and stops an embedded server.
 * Run with `node --import tsx testing/engineServer.ts`.
 */
import { resolveTestServer, redact } from '@sluice/test-database'
import { spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { e2eRun, type E2eUser } from './e2eRun'

const run = e2eRun()
const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const engineDir = resolve(repoDir, 'apps/engine')

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
  try {
    await client.connect()
    await client.query(sql)
  } finally {
    await client.end().catch(() => undefined)
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

const server = await resolveTestServer()
try {
  await onServer(server.url, `CREATE DATABASE "${run.databaseName}"`)
} catch (error) {
  process.stderr.write(
    `e2e: cannot create database ${run.databaseName} on ${redact(server.url)}: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  await server.stop()
  process.exit(1)
}
const databaseUrl = withDatabase(server.url, run.databaseName)
writeFileSync(run.databaseFile, JSON.stringify({ databaseUrl }))

/** `npm run users -- add NAME --role ROLE`, as an operator would, the password from the environment. */
function addUser(user: E2eUser): Promise<void> {
  return new Promise((done, fail) => {
    const cli = spawn('npm', ['run', '-s', 'users', '--', 'add', user.name, '--role', user.role], {
      cwd: repoDir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DATABASE_URL: databaseUrl, SLUICE_USER_PASSWORD: user.password },
    })
    cli.once('error', fail)
    cli.once('exit', (code) => {
      if (code === 0) done()
      else fail(new Error(`npm run users -- add ${user.name} exited with ${String(code)}`))
    })
  })
}
for (const user of Object.values(run.users)) await addUser(user)

const engine = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: engineDir,
  stdio: 'inherit',
  env: {
    ...process.env,
    DATABASE_URL: databaseUrl,
    SLUICE_PORT: String(run.enginePort),
    SLUICE_HOST: '127.0.0.1',
    SLUICE_API_TOKEN: run.apiToken,
    JAEGER_UI_URL: run.jaegerUiUrl,
    ...(run.oidc
      ? {
          SLUICE_OIDC_ISSUER: run.oidc.issuer,
          SLUICE_OIDC_CLIENT_ID: run.oidc.clientId,
          SLUICE_OIDC_CLIENT_SECRET: run.oidc.clientSecret,
          SLUICE_OIDC_ROLES_CLAIM: 'sluice_roles',
          SLUICE_OIDC_SCOPES: 'openid profile sluice',
          SLUICE_OIDC_LABEL: 'the test provider',
        }
      : {}),
    SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'warn',
    // Nothing listens for OTLP here: the engine says so once at start, and trace ids stay real.
    OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:9',
  },
})

let stopping = false
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return
  stopping = true
  /*
   * Playwright (and Ctrl-C) signal the whole process group, so the engine got this signal too and
   * is draining; a second one would make it skip the drain. Forward it only if the engine is
   * still running much later, i.e. when only this process was signalled.
   */
  setTimeout(() => {
    if (engine.exitCode === null && engine.signalCode === null) engine.kill(signal)
  }, 20_000).unref()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

engine.on('exit', (code, signal) => {
  void (async () => {
    try {
      await onServer(server.url, `DROP DATABASE IF EXISTS "${run.databaseName}" WITH (FORCE)`)
    } catch (error) {
      process.stderr.write(
        `e2e: could not drop ${run.databaseName}: ${error instanceof Error ? error.message : String(error)}\n`,
      )
    }
    rmSync(run.databaseFile, { force: true })
    await server.stop()
    process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)))
  })()
})
