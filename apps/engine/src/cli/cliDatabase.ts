import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Logger } from '../logger'
import { startEmbeddedDatabase } from '../database/embeddedDatabase'

/** The engine database a command works on, and how to let go of it. */
export interface CliDatabase {
  readonly url: string
  readonly description: string
  close(): Promise<void>
}

const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The database the engine uses: `DATABASE_URL`, else the embedded PostgreSQL in `dataDir`, taken
 * as it runs (its port from PostgreSQL's own postmaster.pid, its password from `pg-password`)
 * or, when no engine is running it, started for the command and stopped after.
 *
 * @example
 * const db = await openCliDatabase(env.DATABASE_URL, dataDir, log)
 */
export async function openCliDatabase(
  databaseUrl: string | undefined,
  dataDir: string,
  log: Logger,
): Promise<CliDatabase> {
  if (databaseUrl !== undefined) {
    return { url: databaseUrl, description: 'DATABASE_URL', close: () => Promise.resolve() }
  }
  const folder = resolve(dataDir)
  const pidFile = await readFile(join(folder, 'pg', 'postmaster.pid'), 'utf8').catch(() => '')
  // postmaster.pid: pid, data directory, start time, port, ... (one per line).
  const [pidLine, , , portLine] = pidFile.split('\n')
  const pid = Number(pidLine)
  const port = Number(portLine)
  if (Number.isInteger(pid) && pid > 0 && running(pid) && Number.isInteger(port) && port > 0) {
    const password = (await readFile(join(folder, 'pg-password'), 'utf8')).trim()
    return {
      url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/sluice`,
      description: `the embedded PostgreSQL in ${folder} (running)`,
      close: () => Promise.resolve(),
    }
  }
  const embedded = await startEmbeddedDatabase({ dataDir: folder, log })
  return {
    url: embedded.url,
    description: `the embedded PostgreSQL in ${folder}`,
    close: () => embedded.stop(),
  }
}
