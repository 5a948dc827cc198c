import { fileURLToPath } from 'node:url'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { npmStart, type NpmStart } from './testing/npmStart'

/*
 * Ctrl-C on `npm start` in a terminal: the terminal sends SIGINT to the whole process group
 * (npm, the start script, the engine, the console) at once, so the engine gets the same press
 * several times. One press must drain: every queued query runs and is answered, exit 0. A
 * second, deliberate press abandons the drain: what is still queued is answered failed
 * (ABANDONED) and recorded, never dropped. The engine's own database is a test database here,
 * so the test can read what it recorded after it stopped.
 */

const repo = fileURLToPath(new URL('../..', import.meta.url))
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('ctrl_c')
  await db.pool.query('CREATE TABLE drained (n int PRIMARY KEY)')
})
afterAll(async () => {
  await db.drop()
})

interface Answer {
  results: { status: string; callbackId?: string; failureId?: string; error?: { code?: string } }[]
}

async function started(): Promise<NpmStart> {
  const run = await npmStart({
    cwd: repo,
    env: { DATABASE_URL: db.url, OTEL_SDK_DISABLED: 'true', SLUICE_LOG_LEVEL: 'info' },
  })
  await run.printed('sluice: ready')
  return run
}

async function send(base: string, path: string, body: unknown, method = 'POST'): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${String(response.status)} ${text}`)
  return JSON.parse(text) as unknown
}

async function queueSize(base: string, pipeline: string): Promise<number> {
  const view = (await (await fetch(`${base}/v1/pipelines/${pipeline}`)).json()) as {
    status: { queueSize: number }
  }
  return view.status.queueSize
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('Ctrl-C on npm start', () => {
  it('one press (SIGINT to the whole process group) runs and answers every queued query, exit 0', async () => {
    const run = await started()
    // Queries that would wait a minute for their flush interval.
    await send(
      run.engineUrl,
      '/v1/pipelines/patient',
      { batchSize: 1000, flushIntervalMs: 60_000 },
      'PUT',
    )
    const answers = Array.from({ length: 5 }, (_, request) =>
      send(run.engineUrl, '/v1/pipelines/patient/queries', {
        queries: Array.from({ length: 10 }, (_, i) => ({
          sql: 'INSERT INTO drained (n) VALUES ($1)',
          params: [request * 10 + i],
        })),
      }),
    )
    await until(async () => (await queueSize(run.engineUrl, 'patient')) === 50, '50 queued')

    run.signalGroup('SIGINT')
    const results = (await Promise.all(answers)).flatMap((answer) => (answer as Answer).results)
    const code = await run.exited
    expect(results.map((result) => result.status)).toEqual(Array(50).fill('succeeded'))
    const { rows } = await db.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM drained',
    )
    expect(rows[0]?.count).toBe(50)
    expect(code, run.output().slice(-3000)).toBe('exit 0')
    const output = run.output()
    expect(output.match(/SIGINT: stopping/g), 'one press, counted once').toHaveLength(1)
    expect(output).not.toMatch(/abandon(ed)? \d+/)
    expect(output).toContain('"msg":"engine stopped"')
  })

  it('a second, later press answers the queries still queued failed (ABANDONED) and records them', async () => {
    const run = await started()
    // One slow query at a time: draining 30 of them takes ~9 s.
    await send(
      run.engineUrl,
      '/v1/pipelines/slow',
      { strategy: 'sequential', batchSize: 1, flushIntervalMs: 0 },
      'PUT',
    )
    const answer = send(run.engineUrl, '/v1/pipelines/slow/queries', {
      queries: Array.from({ length: 30 }, (_, i) => ({
        sql: 'SELECT pg_sleep(0.3), $1::int AS n',
        params: [i],
        callbackId: `slow-${String(i)}`,
      })),
    })
    await until(async () => (await queueSize(run.engineUrl, 'slow')) >= 25, 'queries queued')

    run.signalGroup('SIGINT')
    await run.printed(/draining \d+ queued queries, press Ctrl-C again to abandon them/, 15_000)
    run.signalGroup('SIGINT')
    await run.printed(/abandoned \d+ queued queries/, 15_000)
    const results = ((await answer) as Answer).results
    const code = await run.exited

    expect(results).toHaveLength(30)
    const abandoned = results.filter((result) => result.status === 'failed')
    const ran = results.filter((result) => result.status === 'succeeded')
    expect(ran.length, 'the drain ran for a while first').toBeGreaterThan(1)
    expect(abandoned.length).toBeGreaterThan(0)
    expect(ran.length + abandoned.length).toBe(30)
    for (const result of abandoned) {
      expect(result.error?.code).toBe('ABANDONED')
      expect(result.failureId, 'recorded before the answer').toBeDefined()
    }
    const { rows } = await db.pool.query<{ callback_id: string; detail: string }>(
      `SELECT callback_id, detail FROM sluice.failed_queries WHERE pipeline = 'slow'`,
    )
    expect(rows.map((row) => row.callback_id).sort()).toEqual(
      abandoned.map((result) => result.callbackId).sort(),
    )
    expect(new Set(rows.map((row) => row.detail))).toEqual(new Set(['ABANDONED']))
    const said = /abandoned (\d+) queued queries/.exec(run.output())?.[1]
    expect(Number(said)).toBe(abandoned.length)
    expect(code, 'an abandoned drain does not exit 0').toBe('exit 1')
  })
})
