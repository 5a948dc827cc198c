import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callEngine, ingest, resultsOf } from '../testing/ingestClient'
import { getFromEngine, mustPutPipeline, putPipeline, trpcCall } from '../testing/engineApi'
import { launchEngine } from '../testing/engineProcess'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { createTestDatabase } from '@sluice/test-database'
import { reportFigures } from '../testing/figures'

/*
 * With SLUICE_API_TOKEN set, every ingest, pipelines-as-code and tRPC call needs
 * `Authorization: Bearer <token>`; missing, wrong, truncated or extended tokens are refused with
 * 401 and change nothing. Without a token the engine refuses to listen beyond 127.0.0.1.
 */

const token = 'reliability-token-0123456789abcdef'
const wrongTokens: Record<string, Record<string, string>> = {
  'no header': {},
  'wrong token': { authorization: 'Bearer not-the-token-0123456789abcdef' },
  'token with one extra character': { authorization: `Bearer ${token}x` },
  'token missing its last character': { authorization: `Bearer ${token.slice(0, -1)}` },
  'token without the Bearer scheme': { authorization: token },
  'basic auth': { authorization: `Basic ${Buffer.from(`user:${token}`).toString('base64')}` },
}

describe('auth with a token set', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('auth', { env: { SLUICE_API_TOKEN: token } })
    await fixture.db.pool.query('CREATE TABLE events (key text NOT NULL)')
    await mustPutPipeline(
      fixture.engine.baseUrl,
      'guarded',
      { strategy: 'best_effort', batchSize: 10, flushIntervalMs: 5 },
      token,
    )
  })
  afterAll(async () => {
    await fixture.close()
  })

  let refused = 0
  for (const [name, headers] of Object.entries(wrongTokens)) {
    it(`refuses ${name}: ingest, pipelines-as-code and tRPC answer 401 and change nothing`, async () => {
      const base = fixture.engine.baseUrl
      const insert = JSON.stringify({
        queries: [{ sql: 'INSERT INTO events (key) VALUES ($1)', params: [name] }],
      })
      const answers = [
        await callEngine(`${base}/v1/pipelines/guarded/queries`, insert, { headers }),
        await callEngine(`${base}/v1/pipelines/intruder`, JSON.stringify({ batchSize: 5 }), {
          method: 'PUT',
          headers,
        }),
        await callEngine(`${base}/v1/pipelines`, undefined, { method: 'GET', headers }),
        await callEngine(`${base}/v1/pipelines/guarded`, undefined, { method: 'DELETE', headers }),
        await callEngine(`${base}/trpc/pipelines.list`, undefined, { method: 'GET', headers }),
        await callEngine(
          `${base}/trpc/pipelines.create`,
          JSON.stringify({ name: 'intruder', config: {} }),
          { headers },
        ),
        await callEngine(`${base}/trpc/failures.discardAll`, JSON.stringify({}), { headers }),
        await callEngine(`${base}/trpc/targets.list`, undefined, { method: 'GET', headers }),
        // The Prometheus scrape is guarded too.
        await callEngine(`${base}/metrics`, undefined, { method: 'GET', headers }),
      ]
      // The live metrics stream (SSE): tRPC answers 200 and sends the refusal as the stream's
      // only event; no sample may come through.
      const stream = await callEngine(
        `${base}/trpc/metrics.live?input=${encodeURIComponent('{}')}`,
        undefined,
        {
          method: 'GET',
          headers: { ...headers, accept: 'text/event-stream' },
          timeoutMs: 5_000,
        },
      )
      const streamRefused =
        stream.status === 401 ||
        (stream.status === 200 &&
          /UNAUTHORIZED/.test(stream.text) &&
          !/"samples"/.test(stream.text))
      expect(
        streamRefused,
        `metrics.live without the right token: ${stream.status} ${stream.text.slice(0, 300)}`,
      ).toBe(true)
      refused += answers.filter((a) => a.status === 401).length + 1
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 401))
      const { rows } = await fixture.db.pool.query('SELECT key FROM events WHERE key = $1', [name])
      expect(rows).toEqual([])
      const { rows: pipelines } = await fixture.db.pool.query<{ name: string }>(
        'SELECT name FROM sluice.pipelines ORDER BY name',
      )
      expect(pipelines.map((p) => p.name)).toEqual(['guarded'])
    })
  }

  it('accepts the right token on ingest and tRPC', async () => {
    const base = fixture.engine.baseUrl
    const answer = await ingest(
      base,
      'guarded',
      [{ sql: 'INSERT INTO events (key) VALUES ($1)', params: ['welcome'] }],
      { token },
    )
    expect(answer.status).toBe(200)
    expect(resultsOf(answer)?.[0]?.status).toBe('succeeded')
    const list = await trpcCall(base, 'pipelines.list', undefined, { token })
    expect(list.status).toBe(200)
    const put = await putPipeline(base, 'guarded', { batchSize: 20 }, token)
    expect(put.status).toBeLessThan(300)
    // The live metrics stream sends samples to the right token (the refusal above is not a
    // stream that never sends anything to anyone).
    const controller = new AbortController()
    const stream = await fetch(`${base}/trpc/metrics.live?input=${encodeURIComponent('{}')}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
      signal: controller.signal,
    })
    const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = stream.body?.getReader()
    let seen = ''
    const deadline = Date.now() + 5_000
    while (reader && !seen.includes('"samples"') && Date.now() < deadline) {
      const chunk = await reader.read()
      if (chunk.done) break
      seen += new TextDecoder().decode(chunk.value)
    }
    controller.abort()
    expect(seen, 'metrics.live streams samples with the right token').toContain('"samples"')
    const health = await getFromEngine(base, '/healthz')
    reportFigures('auth', {
      refusedCalls: refused,
      wrongTokenKinds: Object.keys(wrongTokens).length,
      healthzWithoutToken: health.status,
    })
  })
})

describe('auth without a token', () => {
  it('refuses to listen beyond 127.0.0.1', async () => {
    const db = await createTestDatabase('no_token')
    let outcome: string
    try {
      const engine = await launchEngine({
        env: { DATABASE_URL: db.url, SLUICE_HOST: '0.0.0.0' },
        readyTimeoutMs: 20_000,
      })
      await engine.stop('SIGKILL')
      outcome = 'it listened on 0.0.0.0 without a token'
    } catch (error) {
      outcome = error instanceof Error ? error.message : String(error)
    } finally {
      await db.drop()
    }
    expect(outcome).toMatch(/SLUICE_API_TOKEN/)
  })
})
