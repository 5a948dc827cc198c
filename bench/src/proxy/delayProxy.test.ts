import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDelayProxy } from './delayProxy'
import type { DelayProxy, DelayProxyImplementation } from './delayProxy'

let echo: Server
let echoPort: number

beforeAll(async () => {
  echo = createServer((socket) => {
    socket.setNoDelay(true)
    // The proxy resets its connections when it closes: not an error of the test.
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

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      resolve(socket)
    })
    socket.setNoDelay(true)
    socket.once('error', reject)
  })
}

/** Reads from the socket until `bytes` bytes arrived. */
function readBytes(socket: Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let received = 0
    const onData = (data: Buffer): void => {
      chunks.push(data)
      received += data.length
      if (received >= bytes) {
        socket.off('data', onData)
        resolve(Buffer.concat(chunks))
      }
    }
    socket.on('data', onData)
  })
}

describe.each<DelayProxyImplementation>(['native', 'node'])('%s delay proxy', (implementation) => {
  let proxy: DelayProxy

  afterAll(async () => {
    await proxy.close()
  })

  it('starts the implementation asked for', async () => {
    proxy = await startDelayProxy({
      targetHost: '127.0.0.1',
      targetPort: echoPort,
      upDelayUs: 500,
      downDelayUs: 500,
      implementation,
    })
    expect(proxy.implementation).toBe(implementation)
  })

  it('delivers every byte in order, many writes in flight at once', async () => {
    const socket = await connect(proxy.port)
    const messages = Array.from({ length: 5_000 }, (_, i) => `message ${i};`)
    const expected = Buffer.from(messages.join(''))
    const echoed = readBytes(socket, expected.length)
    for (const message of messages) socket.write(message)
    expect((await echoed).toString()).toBe(expected.toString())
    socket.destroy()
  })

  it('carries a large transfer intact', async () => {
    const socket = await connect(proxy.port)
    const payload = Buffer.alloc(8 * 1024 * 1024)
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 13)) & 0xff
    const echoed = readBytes(socket, payload.length)
    socket.write(payload)
    expect((await echoed).equals(payload)).toBe(true)
    socket.destroy()
  })

  it('makes each round trip take at least twice the one-way delay', async () => {
    const slow = await startDelayProxy({
      targetHost: '127.0.0.1',
      targetPort: echoPort,
      upDelayUs: 20_000,
      downDelayUs: 20_000,
      implementation,
    })
    try {
      for (const [p, minimumMs] of [
        [slow, 40],
        [proxy, 1],
      ] as const) {
        const socket = await connect(p.port)
        for (let i = 0; i < 5; i++) {
          const start = process.hrtime.bigint()
          const echoed = readBytes(socket, 4)
          socket.write('ping')
          expect((await echoed).toString()).toBe('ping')
          expect(Number(process.hrtime.bigint() - start) / 1e6).toBeGreaterThanOrEqual(minimumMs)
        }
        socket.destroy()
      }
    } finally {
      await slow.close()
    }
  })

  it('passes a half-close through after the data before it', async () => {
    const socket = await connect(proxy.port)
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
})
