import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildNativeDelayProxy } from './nativeDelayProxy'

/** Which implementation runs the proxy: the C helper (precise, cheap) or the Node fallback. */
export type DelayProxyImplementation = 'native' | 'node'

/** Options of `startDelayProxy`. */
export interface StartDelayProxyOptions {
  readonly targetHost: string
  readonly targetPort: number
  /** One-way delay client → server, in microseconds. */
  readonly upDelayUs: number
  /** One-way delay server → client, in microseconds. */
  readonly downDelayUs: number
  /** `auto` (default): native when gcc can build it, else node. */
  readonly implementation?: DelayProxyImplementation | 'auto'
}

/** A running delay proxy (its own process). */
export interface DelayProxy {
  readonly host: string
  readonly port: number
  readonly implementation: DelayProxyImplementation
  readonly upDelayUs: number
  readonly downDelayUs: number
  close(): Promise<void>
}

const nodeMain = fileURLToPath(new URL('./nodeDelayProxyMain.ts', import.meta.url))
const benchDir = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Starts an order-preserving TCP delay proxy in a child process, listening on 127.0.0.1, that
 * forwards to the target and delays every chunk by a fixed one-way delay per direction.
 *
 * @example
 * const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: 5432, upDelayUs: 500, downDelayUs: 500 })
 * // postgres://postgres@127.0.0.1:${proxy.port}/test now has a 1 ms round trip
 * await proxy.close()
 */
export async function startDelayProxy(options: StartDelayProxyOptions): Promise<DelayProxy> {
  const wanted = options.implementation ?? 'auto'
  const binary = wanted === 'node' ? undefined : await buildNativeDelayProxy()
  if (wanted === 'native' && !binary)
    throw new Error('the native delay proxy needs gcc, and gcc failed or is missing')
  const args = [
    '0',
    options.targetHost,
    String(options.targetPort),
    String(Math.round(options.upDelayUs)),
    String(Math.round(options.downDelayUs)),
  ]
  const child = binary
    ? spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(process.execPath, ['--import', 'tsx', nodeMain, ...args], {
        cwd: benchDir,
        stdio: ['pipe', 'pipe', 'inherit'],
      })
  const port = await readPort(child)
  return {
    host: '127.0.0.1',
    port,
    implementation: binary ? 'native' : 'node',
    upDelayUs: options.upDelayUs,
    downDelayUs: options.downDelayUs,
    close: () => stop(child),
  }
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (data: Buffer): void => {
      output += data.toString()
      const match = /PORT (\d+)/.exec(output)
      if (match?.[1]) {
        child.stdout?.off('data', onData)
        resolve(Number(match[1]))
      }
    }
    child.stdout?.on('data', onData)
    child.once('error', reject)
    child.once('exit', (code) => {
      reject(new Error(`the delay proxy exited (code ${String(code)}) before listening: ${output}`))
    })
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve()
    }),
  )
  // Closing stdin asks it to exit; a signal makes sure.
  child.stdin?.end()
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000)
  await exited
  clearTimeout(timer)
}
