import {
  createConnection,
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from './tcpProxy'

// A real TCP echo server behind the proxy; it also keeps what reached it, to tell a request that
// got through from one that did not.
let echo: Server
let echoPort: number
let reachedServer = ''

beforeAll(async () => {
  echo = createServer({ allowHalfOpen: true }, (socket) => {
    socket.setNoDelay(true)
    socket.on('data', (data: Buffer) => (reachedServer += data.toString('latin1')))
    socket.on('error', () => undefined)
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
  echoPort = (echo.address() as AddressInfo).port
})

afterAll(async () => {
  await new Promise<void>((resolve) =>
    echo.close(() => {
      resolve()
    }),
  )
})

const target = (): { host: string; port: number } => ({ host: '127.0.0.1', port: echoPort })

function connectTo(proxy: TcpProxy): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: proxy.host, port: proxy.port }, () => {
      resolve(socket)
    })
    socket.setNoDelay(true)
    socket.once('error', reject)
  })
}

/** Resolves with the first `bytes` bytes the socket receives. */
function received(socket: Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let length = 0
    const onData = (data: Buffer): void => {
      chunks.push(data)
      length += data.length
      if (length >= bytes) {
        socket.off('data', onData)
        resolve(Buffer.concat(chunks))
      }
    }
    socket.on('data', onData)
  })
}

/** Resolves with whatever arrives within `ms` (nothing, for a swallowed reply). */
function receivedWithin(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    let text = ''
    const onData = (data: Buffer): void => {
      text += data.toString()
    }
    socket.on('data', onData)
    setTimeout(() => {
      socket.off('data', onData)
      resolve(text)
    }, ms)
  })
}

/** Milliseconds from writing `text` to its echo. */
async function roundTripMs(socket: Socket, text: string): Promise<number> {
  const start = process.hrtime.bigint()
  const echoed = received(socket, text.length)
  socket.write(text)
  expect((await echoed).toString()).toBe(text)
  return Number(process.hrtime.bigint() - start) / 1e6
}

const closed = (socket: Socket): Promise<void> =>
  new Promise((resolve) => {
    if (socket.destroyed) resolve()
    else
      socket.once('close', () => {
        resolve()
      })
  })

describe('delays', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await startTcpProxy({
      target: target(),
      faults: { toServerDelayMs: 0.5, toClientDelayMs: 0.5 },
    })
  })
  afterAll(async () => {
    await proxy.close()
  })

  it('delivers every byte in order, many writes in flight at once', async () => {
    const socket = await connectTo(proxy)
    const messages = Array.from({ length: 5_000 }, (_, i) => `message ${i};`)
    const expected = messages.join('')
    const echoed = received(socket, expected.length)
    for (const message of messages) socket.write(message)
    expect((await echoed).toString()).toBe(expected)
    socket.destroy()
  })

  it('carries a large transfer intact', async () => {
    const socket = await connectTo(proxy)
    const payload = Buffer.alloc(8 * 1024 * 1024)
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 13)) & 0xff
    const echoed = received(socket, payload.length)
    socket.write(payload)
    expect((await echoed).equals(payload)).toBe(true)
    socket.destroy()
  })

  it('makes a round trip take at least both one-way delays, sub-millisecond ones included', async () => {
    const socket = await connectTo(proxy)
    for (let i = 0; i < 5; i++) expect(await roundTripMs(socket, 'ping')).toBeGreaterThanOrEqual(1)
    proxy.set({ toServerDelayMs: 30, toClientDelayMs: 0 })
    expect(await roundTripMs(socket, 'up')).toBeGreaterThanOrEqual(30)
    proxy.set({ toServerDelayMs: 0, toClientDelayMs: 20 })
    expect(await roundTripMs(socket, 'down')).toBeGreaterThanOrEqual(20)
    proxy.set({ toServerDelayMs: 0.5, toClientDelayMs: 0.5 })
    socket.destroy()
  })

  it('keeps the order when the delay is shortened mid-stream', async () => {
    const socket = await connectTo(proxy)
    const echoed = received(socket, 6)
    proxy.set({ toServerDelayMs: 60 })
    const chunks = proxy.chunksToServer
    socket.write('first')
    // Only once the proxy holds it: a later chunk with no delay must still wait behind it.
    while (proxy.chunksToServer === chunks) await new Promise((resolve) => setImmediate(resolve))
    proxy.set({ toServerDelayMs: 0 })
    socket.write('!')
    expect((await echoed).toString()).toBe('first!')
    proxy.set({ toServerDelayMs: 0.5 })
    socket.destroy()
  })

  it('passes a half-close through after the data before it', async () => {
    const socket = await connectTo(proxy)
    const all = new Promise<string>((resolve) => {
      let text = ''
      socket.on('data', (data: Buffer) => (text += data.toString()))
      socket.on('end', () => {
        resolve(text)
      })
    })
    socket.end('last words')
    expect(await all).toBe('last words')
  })

  it('refuses a delay that is not a number of ms >= 0, naming it', () => {
    expect(() => {
      proxy.set({ toClientDelayMs: -1 })
    }).toThrow(/toClientDelayMs must be a finite number of ms >= 0, got -1/)
    expect(proxy.faults.toClientDelayMs).toBe(0.5)
  })
})

describe('faults', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await startTcpProxy({ target: target() })
  })
  afterAll(async () => {
    await proxy.close()
  })

  it('refuses new connections on demand while open ones carry on', async () => {
    const open = await connectTo(proxy)
    const before = proxy.acceptedConnections
    proxy.set({ refuseNew: true })
    try {
      // The reset can come before or after the handshake completes: either way, only an error.
      const refused = createConnection({ host: proxy.host, port: proxy.port })
      const outcome = await new Promise<string>((resolve) => {
        refused.on('error', (error: NodeJS.ErrnoException) => {
          resolve(error.code ?? 'error')
        })
        refused.on('data', () => {
          resolve('data')
        })
        refused.write('hello?')
      })
      expect(outcome).toBe('ECONNRESET')
      expect(proxy.acceptedConnections).toBe(before + 1)
      expect(await roundTripMs(open, 'still here')).toBeGreaterThanOrEqual(0)
    } finally {
      proxy.set({ refuseNew: false })
      open.destroy()
    }
  })

  it('swallows every reply when asked, while requests still reach the server', async () => {
    const socket = await connectTo(proxy)
    const toClientBefore = proxy.bytesToClient
    proxy.set({ dropReplies: true })
    const reply = receivedWithin(socket, 300)
    socket.write('swallowed-request')
    expect(await reply).toBe('')
    expect(reachedServer).toContain('swallowed-request')
    expect(proxy.bytesToClient).toBe(toClientBefore)
    proxy.set({ dropReplies: false })
    socket.destroy()
  })

  it('swallows the replies of a connection once it sent a given text, until told to stop', async () => {
    const socket = await connectTo(proxy)
    const other = await connectTo(proxy)
    proxy.set({ dropRepliesAfter: 'COMMIT' })
    expect(await roundTripMs(socket, 'BEGIN')).toBeGreaterThanOrEqual(0)
    const lost = receivedWithin(socket, 300)
    socket.write('COMMIT')
    expect(await lost).toBe('')
    const later = receivedWithin(socket, 300)
    socket.write('SELECT')
    expect(await later).toBe('')
    expect(await roundTripMs(other, 'unaffected')).toBeGreaterThanOrEqual(0)
    proxy.set({ dropRepliesAfter: undefined })
    expect(await roundTripMs(socket, 'again')).toBeGreaterThanOrEqual(0)
    socket.destroy()
    other.destroy()
  })

  it('cuts every open connection with a reset and says how many it cut', async () => {
    const sockets = [await connectTo(proxy), await connectTo(proxy)]
    for (const socket of sockets) await roundTripMs(socket, 'up')
    const errors = sockets.map(
      (socket) =>
        new Promise<string | undefined>((resolve) => {
          socket.once('error', (error: NodeJS.ErrnoException) => {
            resolve(error.code)
          })
        }),
    )
    expect(proxy.openConnections).toBe(2)
    expect(proxy.cutAll()).toBe(2)
    expect(await Promise.all(errors)).toEqual(['ECONNRESET', 'ECONNRESET'])
    await Promise.all(sockets.map(closed))
    expect(proxy.openConnections).toBe(0)
  })

  it('counts connections, client writes and bytes each way', async () => {
    const before = {
      accepted: proxy.acceptedConnections,
      chunks: proxy.chunksToServer,
      toServer: proxy.bytesToServer,
      toClient: proxy.bytesToClient,
    }
    const socket = await connectTo(proxy)
    // Each write waits for its echo, so each arrives as a chunk of its own.
    for (const text of ['one', 'two', 'three']) await roundTripMs(socket, text)
    expect(proxy.acceptedConnections - before.accepted).toBe(1)
    expect(proxy.chunksToServer - before.chunks).toBe(3)
    expect(proxy.bytesToServer - before.toServer).toBe(11)
    expect(proxy.bytesToClient - before.toClient).toBe(11)
    socket.destroy()
  })
})
