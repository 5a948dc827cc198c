import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createPrometheusMetrics } from './prometheusMetrics'

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

describe('createPrometheusMetrics', () => {
  it('serves its own endpoint on 127.0.0.1 when given a port', async () => {
    const port = await freePort()
    const metrics = await createPrometheusMetrics({ port })
    try {
      expect(metrics.url).toBe(`http://127.0.0.1:${port}/metrics`)
      const response = await fetch(`http://127.0.0.1:${port}/metrics`)
      expect(response.status).toBe(200)
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404)
    } finally {
      await metrics.exporter.shutdown()
    }
  })

  it('rejects clearly when the port is taken', async () => {
    const busy = createServer().listen(0, '127.0.0.1')
    await once(busy, 'listening')
    const { port } = busy.address() as AddressInfo
    try {
      await expect(createPrometheusMetrics({ port })).rejects.toThrow(
        `Could not serve Prometheus metrics on 127.0.0.1:${port}`,
      )
    } finally {
      busy.close()
    }
  })
})
