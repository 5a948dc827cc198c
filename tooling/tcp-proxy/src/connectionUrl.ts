/** Where a proxy listens or forwards to. */
export interface Endpoint {
  readonly host: string
  readonly port: number
}

/** The server a connection URL names (port 5432, PostgreSQL's, when the URL has none). */
export function serverOf(url: string): Endpoint {
  const parsed = new URL(url)
  return { host: parsed.hostname, port: Number(parsed.port || 5432) }
}

/**
 * The connection URL with its host and port replaced by the proxy's, so a client goes through it.
 *
 * @example
 * const proxy = await startTcpProxy({ target: url })
 * new pg.Client({ connectionString: throughProxy(url, proxy) })
 */
export function throughProxy(url: string, proxy: Endpoint): string {
  const parsed = new URL(url)
  parsed.hostname = proxy.host
  parsed.port = String(proxy.port)
  return parsed.toString()
}
