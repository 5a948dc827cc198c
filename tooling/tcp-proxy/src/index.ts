/**
 * A TCP proxy for tests and benchmarks, in front of PostgreSQL or any TCP server: it delays each
 * direction (microsecond-precise, order kept), refuses new connections, swallows replies, cuts
 * every connection, and counts what passed. Faults change while connections are open.
 *
 * @example
 * import { startTcpProxy, throughProxy } from '@sluice/tcp-proxy'
 *
 * const proxy = await startTcpProxy({ target: url, faults: { toServerDelayMs: 25, toClientDelayMs: 25 } })
 * const client = new pg.Client({ connectionString: throughProxy(url, proxy) })
 * await client.connect() // every round trip now costs at least 50 ms
 * proxy.set({ dropRepliesAfter: 'COMMIT' }) // the COMMIT runs, its answer is lost
 * proxy.cutAll() // a network failure
 * await proxy.close()
 *
 * @module
 */
export { startTcpProxy } from './tcpProxy'
export type { TcpProxy, TcpProxyOptions } from './tcpProxy'
export type { ProxyFaults } from './proxyFaults'
export { throughProxy } from './connectionUrl'
export type { Endpoint } from './connectionUrl'
