import { describe, expect, it } from 'vitest'
import { engineHeaders } from './engineEndpoint'
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

  it('refuses the sign-in procedures, whose answer holds a session id, from the browser', async () => {
    for (const path of ['auth.signIn', 'health.get,auth.oidcFinish']) {
      const answer = await proxyToEngine(
        new Request(`http://127.0.0.1:3000/api/trpc/${path}`, {
          method: 'POST',
          headers: { host: '127.0.0.1:3000', 'sec-fetch-site': 'same-origin' },
        }),
        path,
      )
      expect(answer.status).toBe(403)
      const body = (await answer.json()) as { error: { message: string } }
      expect(body.error.message).toContain('sign in and out through /sign-in')
    }
  })
})

describe('the headers the console sends the engine for a browser', () => {
  it('carry the session from the HttpOnly cookie, the last forwarded hop as the address, and the host', () => {
    const headers = engineHeaders(
      new Headers({
        cookie: 'theme=dark; sluice_session=abc%2Fdef; other=1',
        'x-forwarded-for': '198.51.100.9, 203.0.113.5',
        host: 'sluice.example.com',
      }),
    )
    expect(headers).toMatchObject({
      'x-sluice-session': 'abc/def',
      'x-sluice-client-address': '203.0.113.5',
      'x-sluice-browser-host': 'sluice.example.com',
    })
    expect(engineHeaders(new Headers({ host: '127.0.0.1:3000' }))['x-sluice-session']).toBe('')
  })
})
