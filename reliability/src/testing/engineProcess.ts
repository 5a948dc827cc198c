import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { freePort } from '@sluice/test-database'

const engineDir = fileURLToPath(new URL('../../../apps/engine/', import.meta.url))
const live = new Set<ChildProcess>()
// A test that dies half-way must not leave engines behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** An engine running as its own process, the way operators run it. */
export interface EngineProcess {
  readonly pid: number
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string
  /** Every stdout and stderr line so far (structured logs). */
  readonly logs: readonly string[]
  /** Resolves with the exit code and signal once the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  stop(
    signal?: NodeJS.Signals,
    graceMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** The process's resident memory in bytes (from /proc), or undefined once it ended. */
  rssBytes(): number | undefined
  /** How many file descriptors (sockets, files) the process holds now (from /proc). */
  openFiles(): number | undefined
}

export interface EngineLaunch {
  /** Extra environment (DATABASE_URL, SLUICE_API_TOKEN, SLUICE_TARGETS, ...). */
  readonly env: Record<string, string>
  /** Reuse a port (a restart); a free one by default. */
  readonly port?: number
  readonly readyTimeoutMs?: number
}

async function isHealthy(baseUrl: string, token: string | undefined): Promise<boolean> {
  try {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
    const response = await fetch(`${baseUrl}/healthz`, {
      headers,
      signal: AbortSignal.timeout(1_000),
    })
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}

/**
 * Spawns `node --import tsx apps/engine/src/main.ts` (node itself, not the tsx wrapper, so a
 * SIGKILL hits the engine and not a parent that would leave it orphaned) and waits for /healthz.
 *
 * @example
 * const engine = await launchEngine({ env: { DATABASE_URL: url } })
 * await fetch(`${engine.baseUrl}/healthz`)
 * await engine.stop('SIGKILL')
 */
export async function launchEngine(launch: EngineLaunch): Promise<EngineProcess> {
  const port = launch.port ?? (await freePort())
  const baseUrl = `http://127.0.0.1:${port}`
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    SLUICE_HOST: '127.0.0.1',
    SLUICE_PORT: String(port),
    OTEL_SDK_DISABLED: 'true',
    ...launch.env,
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: engineDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.add(child)
  const logs: string[] = []
  const collect = (stream: NodeJS.ReadableStream | null): void => {
    let partial = ''
    stream?.setEncoding('utf8')
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      logs.push(...lines)
    })
    stream?.on('end', () => {
      if (partial) logs.push(partial)
    })
  }
  collect(child.stdout)
  collect(child.stderr)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      resolve({ code, signal })
    })
  })
  // An object, not a let: the flag changes in a callback the type checker cannot see.
  const state = { exited: false }
  void exited.then(() => {
    state.exited = true
  })

  const deadline = Date.now() + (launch.readyTimeoutMs ?? 40_000)
  const token = launch.env.SLUICE_API_TOKEN
  while (!(await isHealthy(baseUrl, token))) {
    if (state.exited || Date.now() > deadline) {
      child.kill('SIGKILL')
      await exited
      throw new Error(
        `engine did not become healthy on ${baseUrl} (${state.exited ? 'it exited' : 'timed out'}); last log lines:\n` +
          logs.slice(-20).join('\n'),
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 150))
  }

  return {
    pid: child.pid ?? -1,
    port,
    baseUrl,
    logs,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (!state.exited) {
        child.kill(signal)
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        const result = await exited
        clearTimeout(timer)
        return result
      }
      return exited
    },
    rssBytes() {
      return state.exited ? undefined : readRss(child.pid)
    },
    openFiles() {
      if (state.exited || child.pid === undefined) return undefined
      try {
        return readdirSync(`/proc/${child.pid}/fd`).length
      } catch {
        return undefined
      }
    },
  }
}

function readRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = /VmRSS:\s+(\d+) kB/.exec(status)
    return match?.[1] ? Number(match[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}
