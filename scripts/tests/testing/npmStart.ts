import { spawn } from 'node:child_process'
import { freePort } from '@sluice/test-database'

/** `npm start` running in a folder, in a process group of its own (as a terminal runs it). */
export interface NpmStart {
  readonly enginePort: number
  readonly consolePort: number
  readonly engineUrl: string
  readonly consoleUrl: string
  /** Everything printed so far, stdout and stderr. */
  output(): string
  /** Resolves once the given text was printed, or rejects (with the output) after `timeoutMs`. */
  printed(text: string | RegExp, timeoutMs?: number): Promise<void>
  /** Sends `signal` to the whole process group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void
  /**
   * Resolves once npm ended, with how the engine ended as `npm start` reported it (`exit 0`);
   * npm itself and its shell end by the terminal's signal when they got one, as in a terminal.
   */
  readonly exited: Promise<string | undefined>
}

export interface NpmStartOptions {
  readonly cwd: string
  readonly env?: Readonly<Record<string, string>>
  /** Run as this OS user (we are root). */
  readonly user?: { readonly uid: number; readonly gid: number; readonly home: string }
}

const live = new Set<number>()
// A test that fails half-way must not leave an `npm start` behind.
process.once('exit', () => {
  for (const group of live) {
    try {
      process.kill(-group, 'SIGKILL')
    } catch {
      // Gone already.
    }
  }
})

/**
 * Runs `npm start` in `cwd` on free ports, with a small environment (PATH, HOME and what is
 * given), stdout and stderr collected.
 *
 * @example
 * const started = await npmStart({ cwd: clone })
 * await started.printed('sluice: ready')
 * started.signalGroup('SIGINT')
 * expect(await started.exited).toBe('exit 0')
 */
export async function npmStart(options: NpmStartOptions): Promise<NpmStart> {
  const enginePort = await freePort()
  const consolePort = await freePort()
  const home = options.user?.home ?? process.env.HOME ?? '/tmp'
  const child = spawn('npm', ['start'], {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      npm_config_cache: `${home}/.npm`,
      npm_config_update_notifier: 'false',
      SLUICE_PORT: String(enginePort),
      SLUICE_CONSOLE_PORT: String(consolePort),
      ...options.env,
    },
  })
  const group = child.pid ?? 0
  live.add(group)
  let output = ''
  const listeners = new Set<() => void>()
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      for (const listener of listeners) listener()
    })
  }
  const exited = new Promise<string | undefined>((resolve) => {
    child.once('exit', () => {
      live.delete(group)
      resolve(/sluice: stopped \(engine ([^)]+)\)/.exec(output)?.[1])
      for (const listener of listeners) listener()
    })
  })
  return {
    enginePort,
    consolePort,
    engineUrl: `http://127.0.0.1:${String(enginePort)}`,
    consoleUrl: `http://127.0.0.1:${String(consolePort)}`,
    output: () => output,
    printed(text, timeoutMs = 120_000) {
      const found = () => (typeof text === 'string' ? output.includes(text) : text.test(output))
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          done(new Error(`timed out waiting for ${String(text)}; output:\n${output.slice(-4000)}`))
        }, timeoutMs)
        const done = (error?: Error) => {
          clearTimeout(timer)
          listeners.delete(check)
          if (error) reject(error)
          else resolve()
        }
        const check = () => {
          if (found()) done()
          else if (child.exitCode !== null || child.signalCode !== null)
            done(
              new Error(`npm start ended before ${String(text)}; output:\n${output.slice(-4000)}`),
            )
        }
        listeners.add(check)
        check()
      })
    },
    signalGroup(signal) {
      process.kill(-group, signal)
    },
    exited,
  }
}

/** Milliseconds one GET takes until its whole body arrived, and its status. */
export async function timedGet(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now()
  const response = await fetch(url)
  await response.arrayBuffer()
  return { status: response.status, ms: Math.round(performance.now() - started) }
}
