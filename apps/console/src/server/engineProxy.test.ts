import { describe, expect, it } from 'vitest'
import { proxyToEngine } from './engineProxy'

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

  it('refuses a request from the page of another origin when the browser sends no Sec-Fetch-Site', async () => {
    const answer = await call({ host: 'localhost:3000', origin: 'https://attacker.example' })
    expect(answer.status).toBe(403)
    const body = (await answer.json()) as { error: { message: string } }
    expect(body.error.message).toContain('requests from the page of https://attacker.example')
  })
})
