import { pino, type DestinationStream, type Logger } from 'pino'
import { build as prettyStream } from 'pino-pretty'

export type { Logger } from 'pino'

/**
 * Paths that may hold secrets; pino replaces them in every log line. Connection strings are never
 * logged whole anyway (see `describeConnection`), this is the second line of defence.
 */
const redactPaths = [
  'password',
  '*.password',
  'connectionString',
  '*.connectionString',
  'databaseUrl',
  '*.databaseUrl',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
]

/** How log lines look: `pretty` for a person at a terminal, `json` for a collector. */
export type LogFormat = 'pretty' | 'json'

/**
 * `pretty` when stdout is a terminal, else `json`; `SLUICE_LOG_FORMAT` (read in env.ts) decides
 * when set.
 *
 * @example
 * logFormatFor(undefined) // 'pretty' in a terminal, 'json' under systemd or a pipe
 */
export function logFormatFor(chosen: LogFormat | undefined): LogFormat {
  return chosen ?? (process.stdout.isTTY ? 'pretty' : 'json')
}

/**
 * The engine's structured logger: one event per line, JSON (one object a line, for collectors)
 * or pretty (time, level, message and fields, for a terminal).
 *
 * @example
 * const log = createLogger('info')
 * log.info({ pipeline: 'orders' }, 'pipeline created')
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  format: LogFormat = 'json',
): Logger {
  const options = {
    name: 'sluice-engine',
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
  }
  if (destination !== undefined) return pino(options, destination)
  if (format === 'json') return pino(options)
  // In this thread and synchronous: a line is on the terminal before the process may exit.
  return pino(
    options,
    prettyStream({
      sync: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,name',
    }),
  )
}
