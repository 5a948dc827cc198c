/** Where a connection string points, without its password. */
export interface ConnectionInfo {
  readonly host: string
  readonly port: number
  readonly database: string
  readonly user: string
}

/**
 * Parses the parts of a PostgreSQL connection string that are safe to show; the password is
 * dropped here and never leaves this function.
 *
 * @example
 * describeConnection('postgres://app:secret@db:5432/shop') // { host: 'db', port: 5432, database: 'shop', user: 'app' }
 */
export function describeConnection(url: string): ConnectionInfo {
  try {
    const parsed = new URL(url)
    const params = parsed.searchParams
    return {
      host: decodeURIComponent(parsed.hostname) || params.get('host') || 'localhost',
      port: parsed.port === '' ? 5432 : Number(parsed.port),
      database:
        decodeURIComponent(parsed.pathname.replace(/^\//, '')) ||
        decodeURIComponent(parsed.username) ||
        'postgres',
      user: decodeURIComponent(parsed.username) || 'postgres',
    }
  } catch {
    return { host: '(unparsable)', port: 0, database: '(unparsable)', user: '(unparsable)' }
  }
}
