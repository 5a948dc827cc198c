import { connect, createServer, type Socket } from 'node:net'
import { serverOf, type Endpoint } from './connectionUrl'
import { PacedRelease } from './pacedRelease'
import { noFaults, withFaults, type ProxyFaults } from './proxyFaults'

/** Options of `startTcpProxy`. */
export interface TcpProxyOptions {
  /** The server to forward to: its host and port, or a connection URL naming them. */
  readonly target: Endpoint | string
  /** Port to listen on (on 127.0.0.1); 0, the default, picks a free one. */
  readonly listenPort?: number
  /** Faults from the first connection on (none by default); `set` changes them later. */
  readonly faults?: Partial<ProxyFaults>
}

/** A running proxy. Counts are totals since it started. */
export interface TcpProxy extends Endpoint {
  /** The faults in force. */
  readonly faults: ProxyFaults
  /** Connections accepted, refused ones included. */
  readonly acceptedConnections: number
  /** Connections with a side still open. */
  readonly openConnections: number
  /** Chunks read from clients (about one per client write): how few round trips a batch took. */
  readonly chunksToServer: number
  /** Bytes clients sent towards the server. */
  readonly bytesToServer: number
  /** Bytes the server sent back and the proxy let through (swallowed replies not counted). */
  readonly bytesToClient: number
  /** Changes some faults; open connections see the change from their next chunk on. */
  set(faults: Partial<ProxyFaults>): void
  /** Resets every open connection, both sides (a network failure); returns how many were cut. */
  cutAll(): number
  /** Stops listening and resets every connection. */
  close(): Promise<void>
}

interface Link {
  readonly client: Socket
  readonly upstream: Socket
  /** This connection's replies are swallowed (`dropRepliesAfter` matched). */
  swallowing: boolean
}

const nanoseconds = (ms: number): bigint => BigInt(Math.round(ms * 1e6))

/**
 * Starts a TCP proxy on 127.0.0.1 in front of `target`. Each direction is delayed on its own and
 * keeps its order; half-closes pass through after the data before them.
 *
 * @example
 * const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: 5432 } })
 * proxy.set({ toServerDelayMs: 0.5, toClientDelayMs: 0.5 }) // a 1 ms round trip
 * proxy.set({ refuseNew: true })
 * await proxy.close()
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const target = typeof options.target === 'string' ? serverOf(options.target) : options.target
  let faults = withFaults(noFaults, options.faults ?? {})
  const release = new PacedRelease()
  const links = new Set<Link>()
  let accepted = 0
  let chunksToServer = 0
  let bytesToServer = 0
  let bytesToClient = 0

  const server = createServer({ allowHalfOpen: true }, (client) => {
    accepted++
    if (faults.refuseNew) {
      client.resetAndDestroy()
      return
    }
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true })
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    const link: Link = { client, upstream, swallowing: false }
    links.add(link)
    const fail = (): void => {
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.on('error', fail)
      socket.on('close', () => {
        release.forget(socket)
        if (client.destroyed && upstream.destroyed) links.delete(link)
      })
    }
    client.on('data', (chunk: Buffer) => {
      chunksToServer++
      bytesToServer += chunk.length
      if (faults.dropRepliesAfter !== undefined && chunk.includes(faults.dropRepliesAfter))
        link.swallowing = true
      release.send(upstream, chunk, nanoseconds(faults.toServerDelayMs))
    })
    upstream.on('data', (chunk: Buffer) => {
      if (faults.dropReplies || link.swallowing) return
      bytesToClient += chunk.length
      release.send(client, chunk, nanoseconds(faults.toClientDelayMs))
    })
    client.on('end', () => {
      release.send(upstream, undefined, nanoseconds(faults.toServerDelayMs))
    })
    upstream.on('end', () => {
      release.send(client, undefined, nanoseconds(faults.toClientDelayMs))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.listenPort ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0

  const cutAll = (): number => {
    const count = links.size
    for (const { client, upstream } of links) {
      client.resetAndDestroy()
      upstream.resetAndDestroy()
    }
    links.clear()
    return count
  }

  return {
    host: '127.0.0.1',
    port,
    get faults() {
      return faults
    },
    get acceptedConnections() {
      return accepted
    },
    get openConnections() {
      return links.size
    },
    get chunksToServer() {
      return chunksToServer
    },
    get bytesToServer() {
      return bytesToServer
    },
    get bytesToClient() {
      return bytesToClient
    },
    set(changes) {
      faults = withFaults(faults, changes)
      if (faults.dropRepliesAfter === undefined) for (const link of links) link.swallowing = false
    },
    cutAll,
    async close() {
      cutAll()
      release.stop()
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
    },
  }
}
