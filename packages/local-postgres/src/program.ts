import { spawn } from 'node:child_process'
import type { ServerUser } from './serverUser'
import { runAs } from './serverUser'

/** How a PostgreSQL program ended. */
export interface ProgramOutcome {
  /** Exit code; null when it could not be started (see `spawnError`) or died of a signal. */
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** Why it could not be started at all (`EACCES`, `ENOENT`, …). */
  readonly spawnError?: NodeJS.ErrnoException
}

/**
 * Runs a program as `user` and collects its output. Never rejects: a program that cannot be
 * started is an outcome like any other (no 'error' event left unhandled).
 */
export function runProgram(
  file: string,
  args: readonly string[],
  user: ServerUser,
): Promise<ProgramOutcome> {
  return new Promise((resolve) => {
    let stdout = ''
    let stderr = ''
    let child
    try {
      child = spawn(file, args, {
        ...runAs(user),
        // The server's user may not enter our working folder; messages in English to read them.
        cwd: '/',
        env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    } catch (error) {
      resolve({ code: null, stdout, stderr, spawnError: error as NodeJS.ErrnoException })
      return
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    let spawnError: NodeJS.ErrnoException | undefined
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error
    })
    child.once('close', (code) => {
      resolve(spawnError ? { code: null, stdout, stderr, spawnError } : { code, stdout, stderr })
    })
  })
}

/** The line of a program's output worth quoting: its last error line, else its last line. */
export function errorLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  return lines.filter((line) => /error|fatal|panic/i.test(line)).at(-1) ?? lines.at(-1) ?? ''
}
