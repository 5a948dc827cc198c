import { createConnection, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'

/** A TCP proxy in front of PostgreSQL, for tests. */
export interface DelayProxy {
  /** `host:port` to connect to instead of the server's. */
  readonly host: string
  readonly port: number
  /** Server-bound writes (chunks the client sent), counted to show how few round trips happened. */
  readonly clientWrites: number
  /** Cuts every connection at once, without a word to either side (a network failure). */
  cutAll(): void
  close(): Promise<void>
}

/**
 * Forwards bytes both ways after `delayMs` each way (order kept), so a round trip costs at least
 * 2 × delayMs: the difference between one round trip per query and one per batch becomes large.
 */
export async function startDelayProxy(
  target: { host: string; port: number },
  delayMs: number,
): Promise<DelayProxy> {
  const sockets = new Set<Socket>()
  let clientWrites = 0
  const server: Server = createServer((client) => {
    const upstream = createConnection(target.port, target.host)
    sockets.add(client)
    sockets.add(upstream)
    const pipeDelayed = (from: Socket, to: Socket, count: boolean): void => {
      from.on('data', (chunk) => {
        if (count) clientWrites++
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk)
        }, delayMs)
      })
      from.on('end', () => setTimeout(() => to.end(), delayMs))
      from.on('error', () => to.destroy())
      from.on('close', () => sockets.delete(from))
    }
    pipeDelayed(client, upstream, true)
    pipeDelayed(upstream, client, false)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    host: '127.0.0.1',
    port,
    get clientWrites() {
      return clientWrites
    },
    cutAll() {
      for (const socket of sockets) socket.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => {
          resolve()
        })
      }),
  }
}

/** The URL of a server with its host and port replaced (to go through a proxy). */
export function throughProxy(url: string, proxy: { host: string; port: number }): string {
  const parsed = new URL(url)
  parsed.hostname = proxy.host
  parsed.port = String(proxy.port)
  return parsed.toString()
}
