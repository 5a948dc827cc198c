import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../logger'
import { connectNats } from './natsConnection'

const log = createLogger('silent')

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('connectNats', () => {
  it('connects to the machine’s NATS server and round-trips a request', async () => {
    const nats = await connectNats('nats://127.0.0.1:4222', 'test-engine', log)
    try {
      const subject = `sluice.test.${process.pid}.${Date.now()}`
      const subscription = nats.subscribe(subject, {
        callback: (_error, message) => {
          message.respond('pong')
        },
      })
      const reply = await nats.request(subject, 'ping', { timeout: 2_000 })
      expect(reply.string()).toBe('pong')
      subscription.unsubscribe()
    } finally {
      await nats.close()
    }
  })

  it('names the variable and the servers when NATS cannot be reached', async () => {
    const port = await closedPort()
    await expect(connectNats(`nats://127.0.0.1:${port}`, 'test-engine', log)).rejects.toThrow(
      `cannot reach NATS at nats://127.0.0.1:${port} (SLUICE_NATS_URL)`,
    )
  })
})
