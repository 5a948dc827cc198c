import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const benchDir = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Runs a probe script (a .ts file next to this one) in a fresh Node process, with `--expose-gc`,
 * and returns the JSON it prints as its last stdout line. A fresh process keeps each probe's
 * memory and telemetry set-up apart from the benchmark's own.
 *
 * @example
 * const figures = await runProbe<{ heapBytes: number }>('queueMemoryProbe.ts', ['10000', url])
 */
export function runProbe<T>(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<T> {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file, ...args], {
      cwd: benchDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('error', reject)
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').pop() ?? ''
      if (code !== 0) {
        reject(
          new Error(`probe ${script} exited with ${String(code)}: ${stderr.trim().slice(-2_000)}`),
        )
        return
      }
      try {
        resolve(JSON.parse(last) as T)
      } catch {
        reject(new Error(`probe ${script} printed no JSON: ${last.slice(0, 500)}`))
      }
    })
  })
}
