import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline, trpcCall } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { reportFigures } from '../testing/figures'
import { ingest, resultsOf } from '../testing/ingestClient'
import { sleep } from '../testing/timing'
import { badCases, post } from './badIngestRequests'

/*
 * Bad input through the HTTP API. Each case: the status the engine must answer and a pattern
 * the error message must match (it names what was wrong). After every case, a second pipeline
 * must still work and the engine must still be up.
 *
 * Decisions, per case:
 * - Malformed or mistyped requests never reach a pipeline: 400 (413 for a body over the limit,
 *   404 for an unknown pipeline), with a message naming the field.
 * - SQL that PostgreSQL rejects (a syntax error) is a query result, not a request error: 200,
 *   that query `failed` with SQLSTATE 42601, its neighbours unaffected.
 * - Several statements in one string must never run: either a 400 naming it or a `failed`
 *   result (PostgreSQL answers 42601 to multiple commands in a prepared statement). What is
 *   non-negotiable is that nothing of it ran.
 * - Text PostgreSQL cannot hold (NUL) is refused with 400 before anything is queued; a lone
 *   UTF-16 surrogate (invalid Unicode, JSON lets it through as "\ud800") must never be stored
 *   silently as something else: refused with 4xx, or the query fails.
 * - Odd but valid Unicode (emoji, combining marks, RTL override, zero-width joiner, U+FFFF)
 *   round-trips byte for byte.
 */

describe('bad input through the ingest API', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('bad_input')
    await fixture.db.pool.query('CREATE TABLE events (key text NOT NULL, body text)')
    await mustPutPipeline(fixture.engine.baseUrl, 'good', {
      strategy: 'best_effort',
      batchSize: 20,
      flushIntervalMs: 5,
    })
    await mustPutPipeline(fixture.engine.baseUrl, 'bystander', {
      strategy: 'transactional',
      batchSize: 20,
      flushIntervalMs: 5,
    })
  })
  afterAll(async () => {
    await fixture.close()
  })

  let bystanderRuns = 0
  const bystanderStillWorks = async (): Promise<void> => {
    const key = `bystander-${bystanderRuns++}`
    const answer = await ingest(fixture.engine.baseUrl, 'bystander', [
      { sql: 'INSERT INTO events (key) VALUES ($1)', params: [key] },
    ])
    expect(answer.status).toBe(200)
    expect(resultsOf(answer)?.[0]?.status).toBe('succeeded')
  }

  for (const bad of badCases) {
    const allowed: readonly number[] = typeof bad.status === 'number' ? [bad.status] : bad.status
    it(`${bad.name}: ${allowed.join(' or ')} naming the problem; the engine and other pipelines carry on`, async () => {
      const answer = await bad.send(fixture.engine.baseUrl)
      expect(
        allowed,
        `answered ${answer.status} ${answer.failure ?? ''} ${answer.text.slice(0, 300)}`,
      ).toContain(answer.status)
      expect(answer.text.slice(0, 2_000)).toMatch(bad.message)
      expect(answer.body, 'errors come back as JSON').toBeDefined()
      await bystanderStillWorks()
    })
  }

  it('a SQL syntax error fails only its own query, with SQLSTATE 42601, and is in the failures store', async () => {
    const answer = await ingest(fixture.engine.baseUrl, 'good', [
      { sql: 'INSERT INTO events (key) VALUES ($1)', params: ['before-syntax'], callbackId: 'a' },
      { sql: 'SELEC oops FROM', callbackId: 'b' },
      { sql: 'INSERT INTO events (key) VALUES ($1)', params: ['after-syntax'], callbackId: 'c' },
    ])
    expect(answer.status).toBe(200)
    const results = resultsOf(answer) ?? []
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'failed', 'succeeded'])
    expect(results[1]?.error?.code).toBe('42601')
    expect(results[1]?.error?.message).toMatch(/syntax/)
    // "A failed query is in the failed-queries store before the response says so."
    expect(results[1]?.failureId, 'the failed query carries its failures-store id').toMatch(/^\d+$/)
    const { rows } = await fixture.db.pool.query<{ key: string }>(
      "SELECT key FROM events WHERE key LIKE '%-syntax' ORDER BY key",
    )
    expect(rows.map((r) => r.key)).toEqual(['after-syntax', 'before-syntax'])
    const stored = await fixture.db.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM sluice.failed_queries WHERE sql = 'SELEC oops FROM'",
    )
    expect(Number(stored.rows[0]?.n)).toBe(1)
    await bystanderStillWorks()
  })

  it('several statements in one string never run', async () => {
    await fixture.db.pool.query("INSERT INTO events (key) VALUES ('survivor')")
    const answer = await ingest(fixture.engine.baseUrl, 'good', [
      {
        sql: "INSERT INTO events (key) VALUES ('smuggled'); DELETE FROM events WHERE key = 'survivor'",
      },
    ])
    const { rows } = await fixture.db.pool.query<{ key: string }>(
      "SELECT key FROM events WHERE key IN ('smuggled', 'survivor')",
    )
    expect(rows.map((r) => r.key)).toEqual(['survivor'])
    if (answer.status === 200) {
      const result = resultsOf(answer)?.[0]
      expect(result?.status).toBe('failed')
      expect(result?.error?.code).toBe('42601')
    } else {
      expect(answer.status).toBe(400)
      expect(answer.text).toMatch(/statement|command/i)
    }
    await bystanderStillWorks()
  })

  it('odd but valid Unicode round-trips exactly', async () => {
    const samples = [
      'emoji 🦀🧪👩🏽‍💻',
      'combining e\u0301 a\u030a',
      'rtl \u202eevil\u202c',
      'zero\u200bwidth\u200djoiner',
      'noncharacter \uffff and bom \ufeff',
      'astral 𝕊𝕝𝕦𝕚𝕔𝕖 𠜎',
      'quotes \' " ` \\ and $1 $$ text $$',
    ]
    const answer = await ingest(
      fixture.engine.baseUrl,
      'good',
      samples.map((body, i) => ({
        sql: 'INSERT INTO events (key, body) VALUES ($1, $2)',
        params: [`unicode-${i}`, body],
      })),
    )
    expect(answer.status).toBe(200)
    expect(resultsOf(answer)?.map((r) => r.status)).toEqual(samples.map(() => 'succeeded'))
    const { rows } = await fixture.db.pool.query<{ body: string }>(
      "SELECT body FROM events WHERE key LIKE 'unicode-%' ORDER BY key",
    )
    expect(rows.map((r) => r.body)).toEqual(samples)
    const echo = await ingest(
      fixture.engine.baseUrl,
      'good',
      samples.map((body) => ({ sql: 'SELECT $1::text AS body', params: [body] })),
    )
    expect(resultsOf(echo)?.map((r) => r.rows?.[0]?.body)).toEqual(samples)
  })

  it('a lone surrogate (invalid Unicode) is refused or fails, never stored as something else', async () => {
    const answer = await post(
      fixture.engine.baseUrl,
      '{"queries":[{"sql":"INSERT INTO events (key, body) VALUES ($1, $2)","params":["surrogate","a\\ud800b"]}]}',
    )
    const { rows } = await fixture.db.pool.query<{ body: string }>(
      "SELECT body FROM events WHERE key = 'surrogate'",
    )
    reportFigures('lone surrogate', {
      status: answer.status,
      result: resultsOf(answer)?.[0]?.status ?? 'none',
      stored: rows.map((r) => JSON.stringify(r.body)).join(',') || 'nothing',
    })
    expect(rows, 'silently stored with U+FFFD in place of what was sent').toEqual([])
    if (answer.status === 200) expect(resultsOf(answer)?.[0]?.status).toBe('failed')
    else {
      expect(answer.status).toBe(400)
      expect(answer.text).toMatch(/surrogate|unicode|utf/i)
    }
  })

  it('the limits themselves work: 65,535 parameters, and 10,000 seven-column INSERTs merged', async () => {
    const base = fixture.engine.baseUrl
    const n = 65_535
    const wideSql = `SELECT array_length(ARRAY[${Array.from({ length: n }, (_, i) => `$${i + 1}::int`).join(',')}], 1) AS n`
    const wide = await ingest(base, 'good', [
      { sql: wideSql, params: Array.from({ length: n }, (_, i) => i) },
    ])
    expect(wide.status, wide.text.slice(0, 300)).toBe(200)
    expect(resultsOf(wide)?.[0]?.rows).toEqual([{ n }])

    // 70,000 parameters if merged into one statement: the merge must split under 65,535.
    await mustPutPipeline(base, 'bulk', {
      strategy: 'transactional',
      batchSize: 10_000,
      flushIntervalMs: 50,
    })
    await fixture.db.pool.query(
      'CREATE TABLE seven (k text, a int, b int, c int, d int, e int, f int)',
    )
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      sql: 'INSERT INTO seven (k, a, b, c, d, e, f) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      params: [`k${i}`, i, i, i, i, i, i],
    }))
    const bulk = await ingest(base, 'bulk', rows, { timeoutMs: 60_000 })
    expect(bulk.status, bulk.text.slice(0, 300)).toBe(200)
    const statuses = new Set((resultsOf(bulk) ?? []).map((r) => r.status))
    expect([...statuses]).toEqual(['succeeded'])
    const { rows: counted } = await fixture.db.pool.query<{ n: string; k: string }>(
      'SELECT count(*) AS n, count(DISTINCT k) AS k FROM seven',
    )
    expect(counted[0]).toEqual({ n: '10000', k: '10000' })
  })

  it('a halted sequential pipeline answers 409 naming it until resumed, then works again', async () => {
    const base = fixture.engine.baseUrl
    await mustPutPipeline(base, 'strict', {
      strategy: 'sequential',
      batchSize: 10,
      flushIntervalMs: 5,
    })
    const failing = await ingest(base, 'strict', [
      { sql: 'SELECT 1/0' },
      { sql: 'INSERT INTO events (key) VALUES ($1)', params: ['after-halt'] },
    ])
    expect(resultsOf(failing)?.map((r) => r.status)).toEqual(['failed', 'skipped'])
    expect(resultsOf(failing)?.[0]?.error?.code).toBe('22012')
    const refused = await ingest(base, 'strict', [{ sql: 'SELECT 1' }])
    expect(refused.status).toBe(409)
    expect(refused.text).toMatch(/halt/i)
    const resumed = await trpcCall(base, 'pipelines.resume', { name: 'strict' }, { mutation: true })
    expect(resumed.status).toBe(200)
    const ok = await ingest(base, 'strict', [{ sql: 'SELECT 1 AS one' }])
    expect(resultsOf(ok)?.[0]?.status).toBe('succeeded')
    const { rows } = await fixture.db.pool.query("SELECT 1 FROM events WHERE key = 'after-halt'")
    expect(rows, 'the skipped query did not run').toEqual([])
    await bystanderStillWorks()
  })

  it('a chunked body with no length is cut at the limit, not read to the end', async () => {
    let sentMb = 0
    const megabyte = new TextEncoder().encode('x'.repeat(1024 * 1024))
    // Up to 200 MB, streamed: the engine must stop reading at its 4 MB limit.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sentMb >= 200) {
          controller.close()
          return
        }
        sentMb += 1
        controller.enqueue(megabyte)
        await sleep(1)
      },
    })
    const init = {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': 'application/json' },
    }
    const response = await fetch(
      `${fixture.engine.baseUrl}/v1/pipelines/good/queries`,
      init as RequestInit,
    )
    const text = await response.text()
    reportFigures('endless chunked body', { status: response.status, sentMb })
    expect(response.status).toBe(413)
    expect(text).toMatch(/limit|large/i)
    expect(sentMb, 'stopped reading long before the end').toBeLessThan(100)
    await bystanderStillWorks()
  })

  it('a number beyond float precision is refused or kept exactly, never silently rounded', async () => {
    await fixture.db.pool.query('CREATE TABLE big_numbers (key text, id bigint, amount numeric)')
    // 2^53 + 1 and a 20-digit decimal: JSON allows them, a JavaScript number cannot hold them.
    const answer = await post(
      fixture.engine.baseUrl,
      '{"queries":[{"sql":"INSERT INTO big_numbers (key, id, amount) VALUES ($1, $2, $3)","params":["big",9007199254740993,12345678901234567890.5]}]}',
    )
    const { rows } = await fixture.db.pool.query<{ id: string; amount: string }>(
      "SELECT id::text AS id, amount::text AS amount FROM big_numbers WHERE key = 'big'",
    )
    reportFigures('numbers beyond float precision', {
      status: answer.status,
      stored: rows.map((r) => `${r.id}/${r.amount}`).join(',') || 'nothing',
    })
    if (answer.status === 400) {
      expect(answer.text).toMatch(/precision|exact|safe|string/i)
      expect(rows).toEqual([])
    } else {
      expect(rows, 'stored as sent, not rounded to the nearest float').toEqual([
        { id: '9007199254740993', amount: '12345678901234567890.5' },
      ])
    }
  })

  it('stays up through all of it', async () => {
    const health = await getFromEngine(fixture.engine.baseUrl, '/healthz')
    expect(health.status).toBe(200)
    expect(fixture.engine.rssBytes()).toBeDefined()
    reportFigures('ingest bad input', {
      cases: badCases.length + 8,
      engineUp: health.status === 200,
    })
  })
})
