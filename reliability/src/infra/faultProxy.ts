import { createServer, connect, type Server, type Socket } from 'node:net'

/** How the proxy treats traffic right now. */
export interface ProxyFaults {
  /** Added to every chunk, each direction (order is kept). */
  readonly delayMs: number
  /** New connections are closed at once, as if the server were down. */
  readonly refuseNew: boolean
  /** Answers from the server are swallowed (a lost reply), requests still go through. */
  readonly dropReplies: boolean
}

/** A TCP proxy in front of PostgreSQL (or any server) that injects faults on demand. */
export interface FaultProxy {
  readonly port: number
  /** Connections open right now. */
  readonly openConnections: number
  /** Connections accepted since start. */
  readonly acceptedConnections: number
  set(faults: Partial<ProxyFaults>): void
  /** Resets every open connection, both sides; returns how many were cut. */
  cutAll(): number
  close(): Promise<void>
}

interface Link {
  client: Socket
  upstream: Socket
}

/** Forwards `from` to `to`, holding each chunk `delayMs()` while keeping the order. */
function forward(from: Socket, to: Socket, delayMs: () => number, drop: () => boolean): void {
  let releaseAt = 0
  from.on('data', (chunk: Buffer) => {
    if (drop()) return
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
  let faults: ProxyFaults = { delayMs: 0, refuseNew: false, dropReplies: false }
  const links = new Set<Link>()
  let accepted = 0

  const server: Server = createServer((client) => {
    accepted += 1
    if (faults.refuseNew) {
      client.resetAndDestroy()
      return
    }
    const upstream = connect(target.port, target.host)
    const link = { client, upstream }
    links.add(link)
    const end = (): void => {
      links.delete(link)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    forward(client, upstream, () => faults.delayMs, () => false)
    forward(upstream, client, () => faults.delayMs, () => faults.dropReplies)
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
    set(next) {
      faults = { ...faults, ...next }
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
