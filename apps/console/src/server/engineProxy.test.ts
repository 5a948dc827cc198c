import { describe, expect, it } from 'vitest'
import { proxyToEngine } from './engineProxy'
import { isServedHost } from './servedHost'

// The proxy's refusals answer before any engine is contacted (none runs here).

function call(headers: Record<string, string>): Promise<Response> {
  return proxyToEngine(
    new Request('http://127.0.0.1:3000/api/trpc/pipelines.list', { headers }),
    'pipelines.list',
  )
}

describe('the engine proxy', () => {
  it('refuses a request addressed to a name that is not the console’s (DNS rebinding)', async () => {
    const answer = await call({ host: 'attacker.example:3000', 'sec-fetch-site': 'same-origin' })
    expect(answer.status).toBe(403)
    const body = (await answer.json()) as { error: { message: string } }
    expect(body.error.message).toContain('add it to SLUICE_CONSOLE_HOSTS')
  })

  it('refuses a cross-site request on a loopback name', async () => {
    const answer = await call({ host: 'localhost:3000', 'sec-fetch-site': 'cross-site' })
    expect(answer.status).toBe(403)
  })
})

describe('isServedHost', () => {
  it('accepts loopback names and the configured ones, nothing else', () => {
    expect(
      ['localhost:3000', '127.0.0.1', 'console.localhost:80', '[::1]:3000'].map((h) =>
        isServedHost(h, []),
      ),
    ).toEqual([true, true, true, true])
    expect(isServedHost('sluice.example.com', ['sluice.example.com'])).toBe(true)
    expect(isServedHost('sluice.example.com:8443', ['sluice.example.com'])).toBe(true)
    expect(isServedHost('127.0.0.1.attacker.example', [])).toBe(false)
    expect(isServedHost('attacker.example', ['sluice.example.com'])).toBe(false)
    expect(isServedHost(null, [])).toBe(false)
  })
})
