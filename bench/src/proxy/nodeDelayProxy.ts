import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'

/** Where a delay proxy forwards to, and how long each direction waits. */
export interface DelayProxyOptions {
  readonly targetHost: string
  readonly targetPort: number
  /** One-way delay client → server, in microseconds. */
  readonly upDelayUs: number
  /** One-way delay server → client, in microseconds. */
  readonly downDelayUs: number
  /** Port to listen on (127.0.0.1); 0 picks a free one. */
  readonly listenPort?: number
}

interface PendingChunk {
  readonly due: bigint
  readonly data: Buffer
  readonly to: Socket
}

/**
 * The Node implementation of the order-preserving TCP delay proxy, used when gcc is missing.
 * Node's timers are about 1 ms coarse, so chunks are released by a paced loop: a timer for the
 * bulk of a long wait, then `setImmediate` polling against `process.hrtime` for the rest. Each
 * direction is a FIFO and every chunk gets the same delay, so release order is arrival order.
 * It costs CPU while data is in flight; run it in its own process (nodeDelayProxyMain.ts).
 *
 * @example
 * const proxy = new NodeDelayProxy({ targetHost: '127.0.0.1', targetPort: 5432, upDelayUs: 500, downDelayUs: 500 })
 * const port = await proxy.listen()
 * // connect to 127.0.0.1:port ...
 * await proxy.close()
 */
export class NodeDelayProxy {
  readonly #options: DelayProxyOptions
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  // A FIFO per destination socket: everything bound for it waits the same delay, so the order
  // chunks are released in is the order they arrived in.
  readonly #queues = new Map<Socket, PendingChunk[]>()
  #scheduled = false

  constructor(options: DelayProxyOptions) {
    this.#options = options
    this.#server = createServer({ allowHalfOpen: true }, (client) => {
      this.#accept(client)
    })
  }

  /** Starts listening on 127.0.0.1 and resolves with the port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(this.#options.listenPort ?? 0, '127.0.0.1', () => {
        resolve()
      })
    })
    return (this.#server.address() as AddressInfo).port
  }

  /** Stops accepting and destroys every open connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve()
      }),
    )
  }

  #accept(client: Socket): void {
    const server = createConnection({
      host: this.#options.targetHost,
      port: this.#options.targetPort,
      allowHalfOpen: true,
    })
    client.setNoDelay(true)
    server.setNoDelay(true)
    for (const socket of [client, server]) {
      this.#sockets.add(socket)
      this.#queues.set(socket, [])
      socket.on('close', () => {
        this.#sockets.delete(socket)
        this.#queues.delete(socket)
      })
      socket.on('error', () => {
        client.destroy()
        server.destroy()
      })
    }
    this.#pipe(client, server, BigInt(this.#options.upDelayUs) * 1000n)
    this.#pipe(server, client, BigInt(this.#options.downDelayUs) * 1000n)
  }

  #pipe(from: Socket, to: Socket, delayNs: bigint): void {
    from.on('data', (data: Buffer) => {
      this.#queues.get(to)?.push({ due: process.hrtime.bigint() + delayNs, data, to })
      this.#schedule()
    })
    from.on('end', () => {
      this.#whenDrained(to, () => to.end())
    })
  }

  #whenDrained(socket: Socket, then: () => void): void {
    const queue = this.#queues.get(socket)
    if (!queue || queue.length === 0) {
      then()
      return
    }
    setTimeout(() => {
      this.#whenDrained(socket, then)
    }, 1)
  }

  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#release()
    })
  }

  #release(): void {
    this.#scheduled = false
    const now = process.hrtime.bigint()
    let next: bigint | undefined
    for (const queue of this.#queues.values()) {
      let released = 0
      for (const chunk of queue) {
        if (chunk.due > now) {
          if (next === undefined || chunk.due < next) next = chunk.due
          break
        }
        if (!chunk.to.destroyed) chunk.to.write(chunk.data)
        released++
      }
      if (released > 0) queue.splice(0, released)
    }
    if (next === undefined) return
    const waitMs = Number(next - now) / 1e6
    this.#scheduled = true
    if (waitMs > 2) {
      // A timer for the coarse part of the wait, then poll for the fine part.
      setTimeout(
        () => {
          this.#release()
        },
        Math.floor(waitMs - 1.5),
      )
    } else {
      setImmediate(() => {
        this.#release()
      })
    }
  }
}
