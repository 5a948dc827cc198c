import type pg from 'pg'
import type { Options as PostgresJsOptions } from 'postgres'

/** Where a method connects: the server directly or the delay proxy, in one schema. */
export interface BenchTarget {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password?: string
  readonly database: string
  /** Every session's search_path. */
  readonly schema: string
}

/**
 * Reads host, port, user, password and database from a connection string.
 *
 * @example
 * targetFromUrl('postgres://postgres@127.0.0.1:5432/test', 'bench_x').port // 5432
 */
export function targetFromUrl(url: string, schema: string): BenchTarget {
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username || 'postgres'),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '') || 'postgres'),
    schema,
  }
}

/** The same target reached through another host and port (the delay proxy). */
export function throughEndpoint(target: BenchTarget, host: string, port: number): BenchTarget {
  return { ...target, host, port }
}

/** A connection string for pg-based clients (Sluice included), search_path set. */
export function targetUrl(target: BenchTarget): string {
  const url = new URL('postgres://localhost')
  url.hostname = target.host
  url.port = String(target.port)
  url.username = encodeURIComponent(target.user)
  if (target.password !== undefined) url.password = encodeURIComponent(target.password)
  url.pathname = `/${encodeURIComponent(target.database)}`
  url.searchParams.set('options', `-c search_path=${target.schema}`)
  return url.toString()
}

/** pg client options for the target. */
export function pgConfig(target: BenchTarget): pg.ClientConfig {
  return { connectionString: targetUrl(target) }
}

/** postgres.js options for the target: one connection, search_path set. */
export function postgresJsOptions(target: BenchTarget): PostgresJsOptions<Record<string, never>> {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    ...(target.password !== undefined ? { pass: target.password } : {}),
    database: target.database,
    max: 1,
    connection: { search_path: target.schema },
    onnotice: () => undefined,
  }
}
