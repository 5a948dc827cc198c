import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline, putPipeline, trpcCall } from '../testing/engineApi'
import { launchEngine, type EngineProcess } from '../testing/engineProcess'
import { reportFigures } from '../testing/figures'
import { freePort } from '@sluice/test-database'
import { ingest, resultsOf, type IngestAnswer } from '../testing/ingestClient'
import { startPrivatePostgres, type PrivatePostgres } from '../testing/privatePostgres'

/*
 * No secret leaves the engine. The engine runs on a private PostgreSQL that checks passwords
 * (scram), as a role with a password, with named targets carrying passwords too: one that works,
 * one with a wrong password, one where nothing listens. Every API answer and every log line is
 * searched for each password (raw and URL-encoded). Hostile SQL comes back as data, in JSON.
 */

const secret = (label: string): string => `${label}-${randomBytes(8).toString('hex')}-S3cr3t!`

describe('secrets and hostile text', () => {
  let server: PrivatePostgres
  let engine: EngineProcess
  const token = `token-${randomBytes(12).toString('hex')}`
  const passwords = {
    owner: secret('owner'),
    reader: secret('reader'),
    wrong: secret('wrong'),
    nowhere: secret('nowhere'),
  }
  const answers: { what: string; status: number; text: string }[] = []
  const keep = (what: string, answer: IngestAnswer): IngestAnswer => {
    answers.push({ what, status: answer.status, text: answer.text })
    return answer
  }

  beforeAll(async () => {
    server = await startPrivatePostgres()
    const admin = new pg.Client({ connectionString: server.url('postgres') })
    await admin.connect()
    await admin.query(`CREATE ROLE app_owner LOGIN PASSWORD '${passwords.owner}'`)
    await admin.query(`CREATE ROLE app_reader LOGIN PASSWORD '${passwords.reader}'`)
    await admin.query('CREATE DATABASE secured OWNER app_owner')
    await admin.end()
    const owner = new pg.Client({
      connectionString: server.url('secured', { user: 'app_owner', password: passwords.owner }),
    })
    await owner.connect()
    await owner.query('CREATE TABLE notes (body text)')
    await owner.query('GRANT SELECT ON notes TO app_reader')
    await owner.end()
    const deadPort = await freePort()
    engine = await launchEngine({
      env: {
        DATABASE_URL: server.url('secured', { user: 'app_owner', password: passwords.owner }),
        SLUICE_API_TOKEN: token,
        SLUICE_TARGETS: JSON.stringify({
          reporting: {
            url: server.url('secured', { user: 'app_reader', password: passwords.reader }),
            description: 'read only',
          },
          misconfigured: server.url('secured', { user: 'app_reader', password: passwords.wrong }),
          nowhere: `postgres://app_reader:${encodeURIComponent(passwords.nowhere)}@127.0.0.1:${deadPort}/secured`,
        }),
        SLUICE_LOG_LEVEL: 'debug',
        // Telemetry on: /metrics is served, and a failing OTLP export (nothing listens) logs.
        OTEL_SDK_DISABLED: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}`,
      },
    })
    await mustPutPipeline(
      engine.baseUrl,
      'owned',
      { strategy: 'best_effort', batchSize: 10, flushIntervalMs: 5 },
      token,
    )
  })
  afterAll(async () => {
    await engine.stop('SIGTERM')
    await server.destroy()
  })

  it('hands hostile SQL back as data, in JSON, never as markup', async () => {
    const base = engine.baseUrl
    const hostile = `<script>alert('x')</script><img src=x onerror=alert(1)>`
    const ok = await ingest(
      base,
      'owned',
      [{ sql: 'SELECT $1::text AS echoed', params: [hostile] }],
      { token },
    )
    const failing = await ingest(
      base,
      'owned',
      [{ sql: `SELECT * FROM "${hostile.replace(/"/g, '')}"` }],
      { token },
    )
    expect(ok.status).toBe(200)
    expect(resultsOf(ok)?.[0]).toMatchObject({ status: 'succeeded', rows: [{ echoed: hostile }] })
    expect(resultsOf(failing)?.[0]).toMatchObject({ status: 'failed', error: { code: '42P01' } })
    const failures = await trpcCall(base, 'failures.list', { text: 'script' }, { token })
    const items = (failures.data as { items?: { sql: string }[] } | undefined)?.items ?? []
    expect(items.map((item) => item.sql)).toContain(`SELECT * FROM "${hostile.replace(/"/g, '')}"`)
    for (const answer of [ok, failing, failures]) {
      expect(answer.contentType).toMatch(/^application\/json/)
    }
  })
  it('never returns a password in any answer, nor writes one to a log line', async () => {
    const base = engine.baseUrl
    for (const target of ['reporting', 'misconfigured', 'nowhere']) {
      const config = {
        target,
        strategy: 'best_effort',
        batchSize: 5,
        flushIntervalMs: 5,
        retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
      }
      keep(`PUT pipeline on ${target}`, await putPipeline(base, `on_${target}`, config, token))
      keep(
        `ingest on ${target}`,
        await ingest(base, `on_${target}`, [{ sql: 'SELECT count(*) FROM notes' }], {
          token,
          timeoutMs: 20_000,
        }),
      )
      keep(
        `targets.check ${target}`,
        await trpcCall(base, 'targets.check', { name: target }, { token }),
      )
    }
    keep(
      'ingest failing',
      await ingest(base, 'owned', [{ sql: 'INSERT INTO missing_table VALUES (1)' }], { token }),
    )
    for (const path of [
      '/healthz',
      '/metrics',
      '/v1/pipelines',
      '/v1/pipelines/owned',
      '/v1/pipelines/on_nowhere',
    ]) {
      keep(`GET ${path}`, await getFromEngine(base, path, token))
    }
    for (const procedure of [
      'health.get',
      'targets.list',
      'pipelines.list',
      'failures.list',
      'batches.list',
      'metrics.history',
    ]) {
      keep(procedure, await trpcCall(base, procedure, {}, { token }))
    }
    keep(
      'pipelines.get',
      await trpcCall(base, 'pipelines.get', { name: 'on_misconfigured' }, { token }),
    )
    // Shutdown logs too: stop the engine before searching its log.
    const exit = await engine.stop('SIGTERM')

    const forms = Object.values({ ...passwords, superuser: server.password }).flatMap((p) => [
      p,
      encodeURIComponent(p),
    ])
    const leakingAnswers = answers
      .filter((a) => forms.some((form) => a.text.includes(form)))
      .map((a) => a.what)
    const leakingLogs = engine.logs.filter((line) => forms.some((form) => line.includes(form)))
    const targets = answers.find((a) => a.what === 'targets.list')?.text ?? ''
    console.log(
      `[reliability] secrets: answers ${answers.map((a) => `${a.what}=${a.status}`).join(', ')}`,
    )
    reportFigures('secrets', {
      answersSearched: answers.length,
      logLinesSearched: engine.logs.length,
      leakingAnswers: leakingAnswers.length,
      leakingLogLines: leakingLogs.length,
    })
    expect(targets, 'targets are listed (by name)').toMatch(/reporting/)
    expect(targets).not.toMatch(/postgres(ql)?:\/\//)
    expect(exit.code, 'a clean shutdown').toBe(0)
    expect(leakingAnswers, 'answers carrying a password').toEqual([])
    expect(
      leakingLogs.map((line) => line.slice(0, 300)),
      'log lines carrying a password',
    ).toEqual([])
  })
})
