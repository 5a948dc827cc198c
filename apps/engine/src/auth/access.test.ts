import { TRPCClientError } from '@trpc/client'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SIGN_IN_LIMITS } from '@sluice/contract'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import type { Engine } from '../engine'
import { engineClient, postJson, startTestEngine } from '../testing/engineHarness'

/*
 * Sign-in, roles and the audit log through the engine's real HTTP and tRPC APIs, with the
 * headers the console's server sends on behalf of a browser.
 */

const consoleToken = 'console-token-0123456789abcdef'
const viewerToken = 'viewer-token-0123456789abcdef'
const password = 'correct-horse-battery'

let db: TestDatabase
let pool: pg.Pool
let engine: Engine

/** A client acting as the console for one browser: its token, the browser's session and address. */
function browser(address = '203.0.113.7') {
  let session = ''
  const client = engineClient(engine.url, consoleToken, () => ({
    'x-sluice-session': session,
    'x-sluice-client-address': address,
    'x-sluice-browser-host': '127.0.0.1:3000',
  }))
  return {
    client,
    get session() {
      return session
    },
    set session(id: string) {
      session = id
    },
    async signIn(user: string, given = password) {
      const result = await client.auth.signIn.mutate({ user, password: given })
      session = result.sessionId
      return result
    },
  }
}

const failureOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(TRPCClientError)
  return error as { message: string; data: { code: string; requiredRole?: string } }
}

async function auditOf(action: string) {
  const result = await pool.query<{
    actor_kind: string
    actor: string
    role: string | null
    address: string | null
    target: string | null
    details: Record<string, unknown>
  }>(
    'SELECT actor_kind, actor, role, address, target, details FROM sluice.audit_log WHERE action = $1 ORDER BY id',
    [action],
  )
  return result.rows
}

beforeAll(async () => {
  db = await createTestDatabase('access')
  pool = db.pool
  engine = await startTestEngine(db.url, {
    apiToken: consoleToken,
    apiTokens: [{ name: 'dashboards', token: viewerToken, role: 'viewer' }],
  })
})

afterAll(async () => {
  await engine.stop()
  await db.drop()
})

describe('sign-in', () => {
  it('is off while the engine is on loopback with no users, and says so', async () => {
    const someone = browser()
    const session = await someone.client.auth.session.query()
    expect(session.signInRequired).toBe(false)
    expect(session.reason).toContain('sign-in is off')
    expect(session.caller).toMatchObject({ kind: 'token', name: 'default', role: 'admin' })
    // Opened under a name that is not loopback (behind a proxy), the same engine requires it.
    const exposed = engineClient(engine.url, consoleToken, () => ({
      'x-sluice-session': '',
      'x-sluice-browser-host': 'sluice.example.com',
    }))
    const there = await exposed.auth.session.query()
    expect(there).toMatchObject({ signInRequired: true, caller: null })
    expect(there.reason).toContain('served as sluice.example.com')
  })

  it('once users exist, requires a session, refuses a wrong password, and rotates the session id', async () => {
    const admin = engineClient(engine.url, consoleToken)
    await admin.users.add.mutate({ name: 'vera', role: 'viewer', password })
    await admin.users.add.mutate({ name: 'otto', role: 'operator', password })
    await admin.users.add.mutate({ name: 'ada', role: 'admin', password })

    const someone = browser()
    const status = await someone.client.auth.session.query()
    expect(status).toMatchObject({ signInRequired: true, passwordSignIn: true, caller: null })
    expect(status.reason).toContain('3 local users exist')
    const refused = await failureOf(someone.client.pipelines.list.query())
    expect(refused.data.code).toBe('UNAUTHORIZED')
    expect(refused.message).toContain('sign in first')

    const wrong = await failureOf(someone.signIn('otto', 'not-the-password'))
    expect(wrong.data.code).toBe('UNAUTHORIZED')
    expect(wrong.message).toBe('wrong user name or password')

    const first = await someone.signIn('otto')
    expect(first.caller).toMatchObject({
      kind: 'user',
      name: 'otto',
      role: 'operator',
      method: 'password',
    })
    expect(await someone.client.pipelines.list.query()).toEqual([])
    const second = await someone.signIn('otto')
    expect(second.sessionId).not.toBe(first.sessionId)
    someone.session = first.sessionId
    const stale = await failureOf(someone.client.pipelines.list.query())
    expect(stale.data.code).toBe('UNAUTHORIZED')
    expect(stale.message).toContain('expired or ended')

    const stored = await pool.query<{ id_hash: string }>('SELECT id_hash FROM sluice.sessions')
    expect(stored.rows.map((row) => row.id_hash)).not.toContain(second.sessionId)

    const signIns = await auditOf('auth.signIn')
    expect(signIns).toHaveLength(2)
    expect(signIns[0]).toMatchObject({
      actor_kind: 'user',
      actor: 'otto',
      role: 'operator',
      address: '203.0.113.7',
    })
    const failed = await auditOf('auth.signInFailed')
    expect(failed[0]).toMatchObject({
      actor: 'otto',
      target: 'otto',
      details: { reason: 'wrong password' },
    })
  })

  it('ends a session at sign-out and when it expires', async () => {
    const someone = browser()
    await someone.signIn('vera')
    await someone.client.auth.signOut.mutate()
    expect((await failureOf(someone.client.pipelines.list.query())).data.code).toBe('UNAUTHORIZED')
    await someone.signIn('vera')
    await pool.query(`UPDATE sluice.sessions SET expires_at = now() - interval '1 second'`)
    expect((await failureOf(someone.client.pipelines.list.query())).data.code).toBe('UNAUTHORIZED')
    expect((await auditOf('auth.signOut'))[0]).toMatchObject({ actor: 'vera' })
  })

  it('rate-limits failed sign-ins per user, in the database, so a second engine enforces it too', async () => {
    const admin = engineClient(engine.url, consoleToken)
    await admin.users.add.mutate({ name: 'lim', role: 'viewer', password })
    const someone = browser('198.51.100.1')
    for (let attempt = 0; attempt < SIGN_IN_LIMITS.perUser; attempt += 1) {
      expect((await failureOf(someone.signIn('lim', 'wrong-password-x'))).data.code).toBe(
        'UNAUTHORIZED',
      )
    }
    const limited = await failureOf(someone.signIn('lim'))
    expect(limited.data.code).toBe('TOO_MANY_REQUESTS')
    expect(limited.message).toMatch(
      /too many failed sign-ins for this user: try again in 1[45] minutes/,
    )
    const other = await startTestEngine(db.url, { apiToken: consoleToken })
    try {
      const elsewhere = engineClient(other.url, consoleToken, () => ({ 'x-sluice-session': '' }))
      const again = await failureOf(elsewhere.auth.signIn.mutate({ user: 'lim', password }))
      expect(again.data.code).toBe('TOO_MANY_REQUESTS')
    } finally {
      await other.stop()
    }
    expect((await auditOf('auth.signInFailed')).at(-1)).toMatchObject({
      actor: 'lim',
      details: { reason: 'rate limited' },
    })
  })
})

describe('roles', () => {
  it('lets a viewer read, without parameters, and refuses its changes with FORBIDDEN naming the role', async () => {
    const admin = engineClient(engine.url, consoleToken)
    await admin.pipelines.create.mutate({
      name: 'roles',
      config: { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } },
    })
    const ingest = await postJson(
      `${engine.url}/v1/pipelines/roles/queries`,
      { queries: [{ sql: 'SELECT 1/$1::int', params: [0], callbackId: 'cb-7' }] },
      { token: consoleToken },
    )
    const failureId =
      (ingest.body as { results: { failureId: string }[] }).results[0]?.failureId ?? ''

    const viewer = browser()
    await viewer.signIn('vera')
    const page = await viewer.client.failures.list.query({ pipeline: 'roles' })
    expect(page.items[0]).toMatchObject({
      id: failureId,
      params: [],
      paramsHidden: true,
      callbackId: 'cb-7',
    })
    expect(await viewer.client.failures.get.query({ id: failureId })).toMatchObject({
      params: [],
      paramsHidden: true,
    })
    const search = await failureOf(viewer.client.failures.list.query({ params: '0' }))
    expect(search.data).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'operator' })
    const retry = await failureOf(viewer.client.failures.retry.mutate({ ids: [failureId] }))
    expect(retry.data).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'operator' })
    expect(retry.message).toBe('failures.retry needs the operator role; user vera has viewer')
    expect(
      (await failureOf(viewer.client.pipelines.pause.mutate({ name: 'roles' }))).data.code,
    ).toBe('FORBIDDEN')
    expect((await failureOf(viewer.client.audit.list.query({}))).data.requiredRole).toBe('admin')
    expect((await auditOf('access.denied')).map((row) => [row.actor, row.target])).toEqual([
      ['vera', 'failures.retry'],
      ['vera', 'pipelines.pause'],
    ])

    const operator = browser()
    await operator.signIn('otto')
    expect((await operator.client.failures.get.query({ id: failureId })).params).toEqual([0])
    expect(
      (await operator.client.failures.list.query({ params: '0', pipeline: 'roles' })).items,
    ).toHaveLength(1)
    await operator.client.pipelines.pause.mutate({ name: 'roles' })
    await operator.client.pipelines.resume.mutate({ name: 'roles' })
    const edited = await operator.client.failures.retry.mutate({ ids: [failureId], params: [1] })
    expect(edited.resolved).toBe(1)
    const update = await failureOf(
      operator.client.pipelines.update.mutate({ name: 'roles', config: { batchSize: 7 } }),
    )
    expect(update.data).toMatchObject({ code: 'FORBIDDEN', requiredRole: 'admin' })

    const owner = browser()
    await owner.signIn('ada')
    await owner.client.pipelines.update.mutate({ name: 'roles', config: { batchSize: 7 } })

    const [pause] = await auditOf('pipeline.pause')
    expect(pause).toMatchObject({
      actor_kind: 'user',
      actor: 'otto',
      role: 'operator',
      target: 'roles',
      address: '203.0.113.7',
    })
    const [retried] = await auditOf('failures.retry')
    expect(retried).toMatchObject({
      actor: 'otto',
      target: failureId,
      details: {
        ids: [failureId],
        matched: 1,
        resolved: 1,
        edit: { id: failureId, before: [0], after: [1] },
      },
    })
    const [updated] = await auditOf('pipeline.update')
    expect(updated).toMatchObject({
      actor: 'ada',
      details: { before: { batchSize: 100 }, after: { batchSize: 7 }, patch: { batchSize: 7 } },
    })
    const [created] = await auditOf('pipeline.create')
    expect(created).toMatchObject({ actor_kind: 'token', actor: 'default', role: 'admin' })
  })

  it('gives each named token its role on the HTTP API, audits it by name, and serves GET /v1/audit to admins', async () => {
    const put = await postJson(
      `${engine.url}/v1/pipelines/by_token`,
      { batchSize: 5 },
      { method: 'PUT', token: viewerToken },
    )
    expect(put.status).toBe(403)
    expect(put.body).toMatchObject({ error: { code: 'FORBIDDEN', requiredRole: 'admin' } })
    const read = await fetch(`${engine.url}/v1/pipelines`, {
      headers: { authorization: `Bearer ${viewerToken}` },
    })
    expect(read.status).toBe(200)
    const auditRead = await fetch(`${engine.url}/v1/audit`, {
      headers: { authorization: `Bearer ${viewerToken}` },
    })
    expect(auditRead.status).toBe(403)

    expect(
      (await postJson(`${engine.url}/v1/pipelines/by_token/pause`, {}, { token: consoleToken }))
        .status,
    ).toBe(404)
    await postJson(
      `${engine.url}/v1/pipelines/by_token`,
      { batchSize: 5 },
      { method: 'PUT', token: consoleToken },
    )
    await postJson(
      `${engine.url}/v1/pipelines/by_token`,
      {},
      { method: 'DELETE', token: consoleToken },
    )
    const answer = await fetch(`${engine.url}/v1/audit?target=by_token&limit=10`, {
      headers: { authorization: `Bearer ${consoleToken}` },
    })
    expect(answer.status).toBe(200)
    const page = (await answer.json()) as {
      items: { action: string; actor: { kind: string; name: string } }[]
    }
    expect(page.items.map((entry) => [entry.action, entry.actor.name])).toEqual([
      ['pipeline.delete', 'default'],
      ['pipeline.create', 'default'],
    ])
    const denied = await fetch(`${engine.url}/v1/audit?actor=dashboards`, {
      headers: { authorization: `Bearer ${consoleToken}` },
    })
    expect(((await denied.json()) as { items: unknown[] }).items).toMatchObject([
      {
        action: 'access.denied',
        actor: { kind: 'token', name: 'dashboards' },
        role: 'viewer',
        target: 'PUT /v1/pipelines/by_token',
      },
    ])
    const bad = await fetch(`${engine.url}/v1/audit?action=nonsense`, {
      headers: { authorization: `Bearer ${consoleToken}` },
    })
    expect(bad.status).toBe(400)
  })
})

describe('the audit log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE; the retention purge removes only entries past it', async () => {
    await expect(pool.query(`UPDATE sluice.audit_log SET actor = 'mallory'`)).rejects.toThrow(
      'append-only: UPDATE refused',
    )
    await expect(pool.query('DELETE FROM sluice.audit_log')).rejects.toThrow(
      'append-only: DELETE refused',
    )
    await expect(pool.query('TRUNCATE sluice.audit_log')).rejects.toThrow(
      'append-only: TRUNCATE refused',
    )
    // The purge's own setting does not let today's entries go.
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(`SELECT set_config('sluice.audit_purge_days', '1', true)`)
      await expect(client.query('DELETE FROM sluice.audit_log')).rejects.toThrow('DELETE refused')
      await client.query('ROLLBACK')
    } finally {
      client.release()
    }
    await pool.query(
      `INSERT INTO sluice.audit_log (at, actor_kind, actor, action) VALUES (now() - interval '400 days', 'cli', 'old', 'user.add')`,
    )
    const entries = async () =>
      Number(
        (await pool.query<{ count: string }>('SELECT count(*) AS count FROM sluice.audit_log'))
          .rows[0]?.count,
      )
    const before = await entries()
    const { AuditLog } = await import('../audit/auditLog')
    const { createLogger } = await import('../logger')
    expect(await new AuditLog(pool, createLogger('silent')).purge(365)).toBe(1)
    expect(await entries()).toBe(before - 1)
  })
})
