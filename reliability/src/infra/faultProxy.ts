import { createServer, connect, type Server, type Socket } from 'node:net'

/** How the proxy treats traffic right now. */
export interface ProxyFaults {
  /** Added to every chunk, each direction (order is kept). */
  readonly delayMs: number
  /** New connections are closed at once, as if the server were down. */
  readonly refuseNew: boolean
  /** Answers from the server are swallowed (a lost reply), requests still go through. */
  readonly dropReplies: boolean
  /**
   * Once a client sends bytes containing this text (e.g. `COMMIT`), that connection's replies
   * are swallowed from then on: the statement runs, its answer is lost.
   */
  readonly dropRepliesAfter: string | undefined
}

/** A TCP proxy in front of PostgreSQL (or any server) that injects faults on demand. */
export interface FaultProxy {
  readonly port: number
  /** Connections open right now. */
  readonly openConnections: number
  /** Connections accepted since start. */
  readonly acceptedConnections: number
  /** Bytes forwarded to the server, and from it (swallowed replies not counted). */
  readonly bytesToServer: number
  readonly bytesToClient: number
  set(faults: Partial<ProxyFaults>): void
  /** Resets every open connection, both sides; returns how many were cut. */
  cutAll(): number
  close(): Promise<void>
}

interface Link {
  client: Socket
  upstream: Socket
  /** Replies of this connection are being swallowed (`dropRepliesAfter` matched). */
  swallowing: boolean
}

/** Forwards `from` to `to`, holding each chunk `delayMs()` while keeping the order. */
function forward(
  from: Socket,
  to: Socket,
  delayMs: () => number,
  drop: () => boolean,
  count: (bytes: number) => void,
): void {
  let releaseAt = 0
  from.on('data', (chunk: Buffer) => {
    if (drop()) return
    count(chunk.length)
    const delay = delayMs()
    if (delay <= 0 && releaseAt <= Date.now()) {
      if (!to.destroyed) to.write(chunk)
      return
    }
    releaseAt = Math.max(releaseAt, Date.now() + delay)
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk)
    }, releaseAt - Date.now())
  })
}

/**
 * Starts a proxy on 127.0.0.1 that forwards to `target`.
 *
 * @example
 * const proxy = await startFaultProxy({ host: '127.0.0.1', port: 5432 })
 * proxy.set({ delayMs: 25 })
 * proxy.cutAll()
 * await proxy.close()
 */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let faults: ProxyFaults = {
    delayMs: 0,
    refuseNew: false,
    dropReplies: false,
    dropRepliesAfter: undefined,
  }
  const links = new Set<Link>()
  let accepted = 0
  let bytesToServer = 0
  let bytesToClient = 0

  const server: Server = createServer((client) => {
    accepted += 1
    if (faults.refuseNew) {
      client.resetAndDestroy()
      return
    }
    const upstream = connect(target.port, target.host)
    const link: Link = { client, upstream, swallowing: false }
    links.add(link)
    const end = (): void => {
      links.delete(link)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.on('data', (chunk: Buffer) => {
      if (faults.dropRepliesAfter !== undefined && chunk.includes(faults.dropRepliesAfter))
        link.swallowing = true
    })
    forward(
      client,
      upstream,
      () => faults.delayMs,
      () => false,
      (bytes) => (bytesToServer += bytes),
    )
    forward(
      upstream,
      client,
      () => faults.delayMs,
      () => faults.dropReplies || link.swallowing,
      (bytes) => (bytesToClient += bytes),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0

  const cutAll = (): number => {
    const count = links.size
    for (const { client, upstream } of [...links]) {
      client.resetAndDestroy()
      upstream.resetAndDestroy()
    }
    links.clear()
    return count
  }

  return {
    port,
    get openConnections() {
      return links.size
    },
    get acceptedConnections() {
      return accepted
    },
    get bytesToServer() {
      return bytesToServer
    },
    get bytesToClient() {
      return bytesToClient
    },
    set(next) {
      faults = { ...faults, ...next }
      if (faults.dropRepliesAfter === undefined) for (const link of links) link.swallowing = false
    },
    cutAll,
    async close() {
      cutAll()
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
    },
  }
}

/**
 * Starts a fault proxy in front of the server of `url` and returns the same URL pointed at the
 * proxy, so a pipeline's connections can be cut or slowed.
 *
 * @example
 * const { proxy, url } = await proxyConnectionString(schema.url)
 * // new QueryPipeline({ name: 'p', connection: url })
 * await proxy.close()
 */
export async function proxyConnectionString(
  url: string,
): Promise<{ proxy: FaultProxy; url: string }> {
  const target = new URL(url)
  const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 5432) })
  target.port = String(proxy.port)
  return { proxy, url: target.toString() }
}
