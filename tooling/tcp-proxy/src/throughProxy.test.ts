import { testDatabaseUrl } from '@sluice/test-database'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { throughProxy } from './connectionUrl'
import { startTcpProxy, type TcpProxy } from './tcpProxy'

// The proxy in front of the test PostgreSQL server, as the core and reliability tests use it.
describe('a proxy in front of PostgreSQL', () => {
  let proxy: TcpProxy
  let url: string
  beforeAll(async () => {
    proxy = await startTcpProxy({ target: testDatabaseUrl() })
    url = throughProxy(testDatabaseUrl(), proxy)
  })
  afterAll(async () => {
    await proxy.close()
  })

  it('is reached through the URL throughProxy gives', () => {
    const proxied = new URL(url)
    expect([proxied.hostname, proxied.port]).toEqual(['127.0.0.1', String(proxy.port)])
    expect(proxied.pathname).toBe(new URL(testDatabaseUrl()).pathname)
  })

  it('adds its delay each way, keeping order', async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    proxy.set({ toServerDelayMs: 40, toClientDelayMs: 40 })
    const started = performance.now()
    const { rows } = await client.query<{ n: number }>('SELECT 1 AS n')
    const elapsed = performance.now() - started
    proxy.set({ toServerDelayMs: 0, toClientDelayMs: 0 })
    expect(rows).toEqual([{ n: 1 }])
    expect(elapsed).toBeGreaterThanOrEqual(75)
    await client.end()
  })

  it('cuts every open connection, and refuses new ones on demand', async () => {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => undefined)
    await client.connect()
    expect(proxy.cutAll()).toBeGreaterThanOrEqual(1)
    await expect(client.query('SELECT 1')).rejects.toThrow()
    proxy.set({ refuseNew: true })
    const refused = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
    refused.on('error', () => undefined)
    await expect(refused.connect()).rejects.toThrow()
    proxy.set({ refuseNew: false })
  })

  it('swallows the replies of a connection once it sent a given text', async () => {
    const client = new pg.Client({ connectionString: url, query_timeout: 500 })
    client.on('error', () => undefined)
    await client.connect()
    proxy.set({ dropRepliesAfter: 'lost_marker' })
    expect((await client.query<{ n: number }>('SELECT 2 AS n')).rows).toEqual([{ n: 2 }])
    await expect(client.query("SELECT 'lost_marker'")).rejects.toThrow(/timeout/i)
    await expect(client.query('SELECT 3')).rejects.toThrow(/timeout/i)
    proxy.set({ dropRepliesAfter: undefined })
    proxy.cutAll()
  })

  it('swallows replies when asked, so a request runs but its answer is lost', async () => {
    const client = new pg.Client({ connectionString: url, query_timeout: 500 })
    client.on('error', () => undefined)
    await client.connect()
    proxy.set({ dropReplies: true })
    await expect(client.query('SELECT 1')).rejects.toThrow(/timeout/i)
    proxy.set({ dropReplies: false })
    proxy.cutAll()
  })
})
