import { TRPCClientError } from '@trpc/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine, type Engine } from '../engine'
import { createLogger } from '../logger'
import type { MetricsTick } from '@sluice/contract'
import { engineClient, eventually, postJson } from '../testing/engineHarness'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { bearerTokens } from './apiTokens'

const token = 'test-token-0123456789abcdef'
const password = 'Sup3rS3cret-pw'
const logLines: string[] = []

let db: TestDatabase
let engine: Engine

beforeAll(async () => {
  db = await createTestDatabase('engine')
  const secondary = new URL(db.url)
  secondary.password = password
  engine = await createEngine({
    port: 0,
    databaseUrl: db.url,
    apiToken: token,
    targets: [
      { name: 'secondary', url: secondary.toString(), description: 'same server, with a password' },
    ],
    logger: createLogger('debug', { write: (line: string) => logLines.push(line) }),
  })
})

afterAll(async () => {
  await engine.stop()
  await db.drop()
})

describe('bearerTokens', () => {
  it('tells which named token was sent, only for its exact text', () => {
    const deploy = { name: 'deploy', token, role: 'admin' as const }
    const ci = { name: 'ci', token: 'another-token-0123456789', role: 'operator' as const }
    const check = bearerTokens([deploy, ci])
    expect(check(`Bearer ${token}`)).toBe(deploy)
    expect(check(`bearer ${ci.token}`)).toBe(ci)
    expect(check(`Bearer ${token}x`)).toBe('wrong')
    expect(check(`Bearer ${token.slice(0, -1)}`)).toBe('wrong')
    expect(check(token)).toBe('wrong')
    expect(check('Bearer ')).toBe('wrong')
    expect(check(undefined)).toBe('none')
    expect(bearerTokens([])(`Bearer ${token}`)).toBe('wrong')
  })
})

describe('engine with SLUICE_API_TOKEN', () => {
  it('refuses ingest, tRPC, SSE and /metrics without the right token', async () => {
    const url = `${engine.url}/v1/pipelines/any/queries`
    for (const given of [undefined, 'wrong-token-0123456789abcdef']) {
      const answer = await postJson(
        url,
        { queries: [{ sql: 'SELECT 1' }] },
        given === undefined ? {} : { token: given },
      )
      expect(answer.status).toBe(401)
      expect(answer.headers.get('www-authenticate')).toContain('Bearer')
      const error = await engineClient(engine.url, given)
        .pipelines.list.query()
        .catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(TRPCClientError)
      expect((error as TRPCClientError<never>).data).toMatchObject({
        code: 'UNAUTHORIZED',
        httpStatus: 401,
      })
    }
    expect((await fetch(`${engine.url}/metrics`)).status).toBe(401)
    expect((await fetch(`${engine.url}/v1/pipelines`)).status).toBe(401)
    const sseErrors: unknown[] = []
    const subscription = engineClient(engine.url).metrics.live.subscribe(
      {},
      { onData: () => undefined, onError: (error) => sseErrors.push(error) },
    )
    await eventually(() => sseErrors.length > 0, 5_000, 'the SSE refusal')
    subscription.unsubscribe()
    // Health stays open for probes; it says nothing secret.
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200)
  })

  it('serves ingest, tRPC and SSE with the token', async () => {
    const client = engineClient(engine.url, token)
    await client.pipelines.create.mutate({ name: 'guarded', config: {} })
    const answer = await postJson(
      `${engine.url}/v1/pipelines/guarded/queries`,
      { queries: [{ sql: 'SELECT 2 AS two' }] },
      { token },
    )
    expect(answer.status).toBe(200)
    expect((await client.health.get.query()).authRequired).toBe(true)
    const ticks: MetricsTick[] = []
    const subscription = client.metrics.live.subscribe({}, { onData: (tick) => ticks.push(tick) })
    await eventually(
      () => ticks.some((tick) => tick.samples.some((sample) => sample.pipeline === 'guarded')),
      5_000,
      'a tick over SSE with a token',
    )
    subscription.unsubscribe()
  })

  it('never returns or logs a password', async () => {
    const client = engineClient(engine.url, token)
    await client.pipelines.create.mutate({ name: 'elsewhere', config: { target: 'secondary' } })
    await postJson(
      `${engine.url}/v1/pipelines/elsewhere/queries`,
      { queries: [{ sql: 'SELECT 1/0' }] },
      { token },
    )
    const targets = await client.targets.list.query()
    expect(targets.find((target) => target.name === 'secondary')).toMatchObject({
      description: 'same server, with a password',
      pipelines: ['elsewhere'],
    })
    const responses = [
      targets,
      await client.targets.check.query({ name: 'secondary' }),
      await client.targets.check.query({ name: 'default' }),
      await client.pipelines.list.query(),
      await client.pipelines.get.query({ name: 'elsewhere' }),
      await client.health.get.query(),
      await client.failures.list.query({ status: 'any' }),
      await client.batches.list.query({}),
      await (
        await fetch(`${engine.url}/v1/pipelines`, { headers: { authorization: `Bearer ${token}` } })
      ).text(),
    ]
    for (const response of responses) {
      const text = JSON.stringify(response)
      expect(text).not.toContain(password)
      expect(text).not.toMatch(/postgres(ql)?:\/\//)
    }
    expect(logLines.length).toBeGreaterThan(3)
    expect(logLines.join('\n')).not.toContain(password)
    expect(logLines.join('\n')).not.toContain(token)
  })
})

describe('engine without a token', () => {
  it('refuses to listen beyond 127.0.0.1', async () => {
    await expect(
      createEngine({ host: '0.0.0.0', databaseUrl: db.url, logger: createLogger('silent') }),
    ).rejects.toThrow('refusing to listen on 0.0.0.0 without SLUICE_API_TOKEN')
  })
})
