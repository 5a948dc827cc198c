import { spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@sluice/test-database'
import { runDatabaseUrl } from './e2eRun'

const engineDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../apps/engine')

/** A second engine on the run's database: another member of the console engine's cluster. */
export interface ExtraEngine {
  readonly id: string
  readonly url: string
  /** SIGTERM and wait for the exit (a clean stop: it leaves the member list at once). */
  stop(): Promise<void>
}

/**
 * Starts another engine process (`node --import tsx src/main.ts`) on the run's database, on a
 * free loopback port, and waits until it answers /healthz.
 *
 * @example
 * const extra = await startExtraEngine('e2e-extra')
 * await extra.stop()
 */
export async function startExtraEngine(id: string): Promise<ExtraEngine> {
  const port = await freePort()
  const url = `http://127.0.0.1:${String(port)}`
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: engineDir,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: runDatabaseUrl(),
      SLUICE_PORT: String(port),
      SLUICE_HOST: '127.0.0.1',
      SLUICE_ENGINE_ID: id,
      OTEL_SDK_DISABLED: 'true',
    },
  })
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      done()
    })
  })
  const deadline = Date.now() + 40_000
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) })
      await response.body?.cancel()
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the extra engine ${id} did not start on ${url}`)
    }
    await new Promise((wait) => setTimeout(wait, 150))
  }
  return {
    id,
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
