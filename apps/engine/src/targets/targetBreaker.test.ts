import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTcpProxy, throughProxy, type TcpProxy } from '@sluice/tcp-proxy'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import type { Engine } from '../engine'
import { engineClient, postJson, startTestEngine } from '../testing/engineHarness'

/*
 * A target's circuit breaker, seen as a user sees it: once the target refuses connections (or
 * drops every packet), queries fail with TARGET_UNAVAILABLE at once, recorded to retry later; the
 * targets list says why; when the target is back, the breaker closes within its probe interval
 * and queries run again. No timing thresholds beyond generous bounds: what shows failing fast is
 * that the queries fail without waiting out the 10 s connect timeout.
 */

let db: TestDatabase
let engine: Engine
let client: ReturnType<typeof engineClient>
let refusing: TcpProxy
let dropping: TcpProxy

interface Answer {
  results: { status: string; error?: { code?: string; message: string }; failureId?: string }[]
}

async function send(pipeline: string, count: number): Promise<Answer> {
  const answer = await postJson(`${engine.url}/v1/pipelines/${pipeline}/queries`, {
    queries: Array.from({ length: count }, (_, i) => ({ sql: 'SELECT $1::int AS n', params: [i] })),
  })
  expect(answer.status).toBe(200)
  return answer.body as Answer
}

const breakerOf = async (target: string) =>
  (await client.targets.list.query()).find((view) => view.name === target)?.breaker

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${String(timeoutMs)} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

beforeAll(async () => {
  db = await createTestDatabase('breaker')
  refusing = await startTcpProxy({ target: db.url, faults: { refuseNew: true } })
  dropping = await startTcpProxy({ target: db.url })
  const breaker = { failureThreshold: 2, probeIntervalMs: 200, probeTimeoutMs: 500 }
  engine = await startTestEngine(db.url, {
    targets: [
      { name: 'refusing', url: throughProxy(db.url, refusing), description: null, breaker },
      { name: 'dropping', url: throughProxy(db.url, dropping), description: null, breaker },
    ],
  })
  client = engineClient(engine.url)
  for (const target of ['refusing', 'dropping']) {
    await client.pipelines.create.mutate({
      name: target,
      config: {
        target,
        strategy: 'best_effort',
        flushIntervalMs: 2,
        retry: { maxAttempts: 1 },
        optimize: false,
      },
    })
  }
})
afterAll(async () => {
  await engine.stop()
  await refusing.close()
  await dropping.close()
  await db.drop()
})

describe("a target's circuit breaker", () => {
  it('opens on a refusing port, fails queries at once, and closes when the target is back', async () => {
    const first = await send('refusing', 2)
    expect(first.results.map((result) => result.error?.code)).toEqual([
      'CONNECTION_LOST',
      'CONNECTION_LOST',
    ])
    const open = await breakerOf('refusing')
    expect(open?.state).toBe('open')
    expect(open?.reason).toMatch(/2 connection failures in a row/)

    const started = performance.now()
    const refused = await send('refusing', 5)
    expect(performance.now() - started).toBeLessThan(5_000)
    for (const result of refused.results) {
      expect(result).toMatchObject({ status: 'failed', error: { code: 'TARGET_UNAVAILABLE' } })
      expect(result.error?.message).toMatch(/target "refusing" is unavailable/)
      // Recorded, to retry once the target is back.
      expect(result.failureId).toMatch(/^\d+$/)
    }
    expect((await breakerOf('refusing'))?.rejected).toBe(5)
    const groups = await client.failures.groups.query({ pipeline: 'refusing' })
    expect(groups.items.find((group) => group.errorCode === 'TARGET_UNAVAILABLE')?.count).toBe(5)

    refusing.set({ refuseNew: false })
    await until(async () => (await breakerOf('refusing'))?.state === 'closed', 5_000)
    const closed = await breakerOf('refusing')
    expect(closed?.transitions.map((step) => step.to)).toEqual(
      expect.arrayContaining(['open', 'half_open', 'closed']),
    )
    const back = await send('refusing', 3)
    expect(back.results.map((result) => result.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ])
    const retried = await client.failures.retryAll.mutate({
      pipeline: 'refusing',
      errorCode: 'TARGET_UNAVAILABLE',
    })
    expect(retried).toMatchObject({ matched: 5, resolved: 5 })
  })

  it(
    'opens on a target that drops every packet; then queries fail without the connect timeout',
    { timeout: 60_000 },
    async () => {
      dropping.set({ dropReplies: true })
      // These wait out the connect timeout (10 s): the two failures that open the breaker.
      const slow = await send('dropping', 2)
      expect(slow.results.map((result) => result.error?.code)).toEqual([
        'CONNECTION_LOST',
        'CONNECTION_LOST',
      ])
      expect((await breakerOf('dropping'))?.state).not.toBe('closed')

      const started = performance.now()
      const refused = await send('dropping', 10)
      expect(performance.now() - started).toBeLessThan(5_000)
      expect(new Set(refused.results.map((result) => result.error?.code))).toEqual(
        new Set(['TARGET_UNAVAILABLE']),
      )

      dropping.set({ dropReplies: false })
      await until(async () => (await breakerOf('dropping'))?.state === 'closed', 5_000)
      expect((await send('dropping', 1)).results[0]?.status).toBe('succeeded')
    },
  )
})
