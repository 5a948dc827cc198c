import { request } from 'node:http'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../engine'
import { engineClient, startTestEngine } from '../testing/engineHarness'

/*
 * What a web page in the operator's browser could make it send: a cross-site POST (no CORS
 * preflight needed for text/plain) or, by DNS rebinding, a same-origin one to a name that
 * resolves to 127.0.0.1. Requests go through node:http so the test can set Host and Origin.
 */

let db: TestDatabase
let open: Engine
let guarded: Engine
const TOKEN = 'a-token-of-sixteen-chars'

beforeAll(async () => {
  db = await createTestDatabase('engine_browser_guard')
  await db.pool.query('CREATE TABLE hits (n int)')
  open = await startTestEngine(db.url)
  guarded = await startTestEngine(db.url, { apiToken: TOKEN })
  await engineClient(open.url).pipelines.create.mutate({
    name: 'p',
    config: { batchSize: 10, flushIntervalMs: 5 },
  })
})
afterAll(async () => {
  await open.stop()
  await guarded.stop()
  await db.drop()
})

function send(
  engine: Engine,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ queries: [{ sql: 'INSERT INTO hits VALUES (1)' }] })
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: engine.port,
        method: 'POST',
        path: '/v1/pipelines/p/queries',
        headers: { 'content-type': 'text/plain', ...headers },
      },
      (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const hits = async (): Promise<number> =>
  (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM hits')).rows[0]?.n ?? -1

describe('an engine without a token', () => {
  it('refuses a request addressed to a name other than localhost (DNS rebinding)', async () => {
    const before = await hits()
    const answer = await send(open, {
      host: `attacker.example:${open.port}`,
      origin: `http://attacker.example:${open.port}`,
      'sec-fetch-site': 'same-origin',
    })
    expect(answer.status).toBe(403)
    expect(answer.body).toContain('must be addressed to localhost or 127.0.0.1')
    expect(await hits()).toBe(before)
  })

  it('refuses a cross-site request from a browser, by Sec-Fetch-Site or by Origin', async () => {
    const before = await hits()
    const local = `127.0.0.1:${open.port}`
    const bySite = await send(open, { host: local, 'sec-fetch-site': 'cross-site' })
    const byOrigin = await send(open, { host: local, origin: 'https://attacker.example' })
    const opaque = await send(open, { host: local, origin: 'null' })
    expect([bySite.status, byOrigin.status, opaque.status]).toEqual([403, 403, 403])
    expect(byOrigin.body).toContain('requests from the page of https://attacker.example')
    expect(await hits()).toBe(before)
  })

  it('serves applications, and pages of its own origin, on localhost names', async () => {
    const before = await hits()
    const requests: Record<string, string>[] = [
      { host: `127.0.0.1:${open.port}` },
      { host: `localhost:${open.port}` },
      { host: `localhost:${open.port}`, origin: `http://localhost:${open.port}` },
    ]
    for (const headers of requests) {
      const answer = await send(open, headers)
      expect(answer.status).toBe(200)
    }
    expect(await hits()).toBe(before + 3)
  })
})

describe('an engine with a token', () => {
  it('answers to any host name (the token guards it) but still refuses cross-site pages', async () => {
    const named = await send(guarded, { host: `sluice.internal:${guarded.port}` })
    expect(named.status).toBe(401)
    const crossSite = await send(guarded, {
      host: `sluice.internal:${guarded.port}`,
      authorization: `Bearer ${TOKEN}`,
      'sec-fetch-site': 'cross-site',
    })
    expect(crossSite.status).toBe(403)
  })
})
