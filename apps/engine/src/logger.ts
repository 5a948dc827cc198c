import { pino, type DestinationStream, type Logger } from 'pino'

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

/**
 * The engine's structured logger: JSON lines on stdout, one per event that matters.
 *
 * @example
 * const log = createLogger('info')
 * log.info({ pipeline: 'orders' }, 'pipeline created')
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    name: 'sluice-engine',
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
  }
  return destination === undefined ? pino(options) : pino(options, destination)
}
