/*
 * Playwright's webServer for the engine: creates the run's own database, runs a real engine on
 * it (no demo load), and on SIGTERM waits for the engine to drain and stop, then drops the
 * database. Run with `node --import tsx support/engineServer.ts`.
 */
import { spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { e2eRun } from './e2eRun'

const run = e2eRun()
const engineDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../apps/engine')

async function onAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: run.adminUrl, connectionTimeoutMillis: 5_000 })
  try {
    await client.connect()
    await client.query(sql)
  } finally {
    await client.end().catch(() => undefined)
  }
}

try {
  await onAdmin(`CREATE DATABASE "${run.databaseName}"`)
} catch (error) {
  process.stderr.write(
    `e2e: cannot create database ${run.databaseName} on ${run.adminUrl.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@')}: ${
      error instanceof Error ? error.message : String(error)
    }\nStart PostgreSQL on 127.0.0.1:5432 (user postgres, database test) or set TEST_DATABASE_URL.\n`,
  )
  process.exit(1)
}

const engine = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: engineDir,
  stdio: 'inherit',
  env: {
    ...process.env,
    DATABASE_URL: run.databaseUrl,
    SLUICE_PORT: String(run.enginePort),
    SLUICE_HOST: '127.0.0.1',
    SLUICE_API_TOKEN: run.apiToken,
    JAEGER_UI_URL: run.jaegerUiUrl,
    SLUICE_LOG_LEVEL: process.env.SLUICE_LOG_LEVEL ?? 'warn',
    // Nothing listens for OTLP here; keep the exporter quiet but the trace ids real.
    OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:9',
  },
})

let stopping = false
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return
  stopping = true
  // The engine shares our process group, so it usually got the signal too; make sure.
  if (engine.exitCode === null) engine.kill(signal)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

engine.on('exit', (code, signal) => {
  void (async () => {
    try {
      await onAdmin(`DROP DATABASE IF EXISTS "${run.databaseName}" WITH (FORCE)`)
    } catch (error) {
      process.stderr.write(`e2e: could not drop ${run.databaseName}: ${error instanceof Error ? error.message : String(error)}\n`)
    }
    process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)))
  })()
})
