import { randomBytes } from 'node:crypto'
import { testDatabaseUrl } from '@sluice/test-database'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../database/migrations'
import { createLogger } from '../logger'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { FailedQueryStore, type NewFailure } from './failedQueryStore'
import { FailureWriter } from './failureWriter'

/*
 * A role allowed two connections stands in for a database out of connections: a third one gets
 * the same SQLSTATE 53300 ("too many connections") a full server answers.
 */
let db: TestDatabase
let role: string
let roleUrl: string
let rolePools: pg.Pool[] = []

const failure = (key: string): NewFailure => ({
  pipeline: 'crowded',
  sql: 'INSERT INTO events (key) VALUES ($1)',
  params: [key],
  outcome: 'failed',
  error: { message: 'sorry, too many clients already', code: '53300' },
  attempts: 5,
  batchId: null,
  traceId: null,
  callbackId: key,
})

/** Takes both connections the role may have, until released. */
async function occupyRoleConnections(): Promise<pg.Client[]> {
  const clients = [new pg.Client(roleUrl), new pg.Client(roleUrl)]
  for (const client of clients) {
    client.on('error', () => undefined)
    await client.connect()
  }
  return clients
}

function writerOnRole(budgetMs: number): { writer: FailureWriter; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: roleUrl, max: 1 })
  pool.on('error', () => undefined)
  rolePools.push(pool)
  return {
    writer: new FailureWriter(new FailedQueryStore(pool), { budgetMs, baseDelayMs: 10 }),
    pool,
  }
}

const storedKeys = async (keys: string[]): Promise<string[]> =>
  (
    await db.pool.query<{ callback_id: string }>(
      'SELECT callback_id FROM sluice.failed_queries WHERE callback_id = ANY($1) ORDER BY callback_id',
      [keys],
    )
  ).rows.map((row) => row.callback_id)

beforeAll(async () => {
  db = await createTestDatabase('engine')
  await migrate(db.pool, createLogger('silent'))
  role = `failure_writer_${randomBytes(4).toString('hex')}`
  await db.pool.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 2`)
  await db.pool.query(`GRANT USAGE ON SCHEMA sluice TO ${role}`)
  await db.pool.query(`GRANT SELECT, INSERT ON sluice.failed_queries TO ${role}`)
  // Each failure also counts in its group (sluice.failure_groups), in the same statement.
  await db.pool.query(`GRANT SELECT, INSERT, UPDATE ON sluice.failure_groups TO ${role}`)
  await db.pool.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA sluice TO ${role}`)
  const url = new URL(db.url)
  url.username = role
  url.password = ''
  roleUrl = url.toString()
})

afterAll(async () => {
  await Promise.all(rolePools.map((pool) => pool.end()))
  rolePools = []
  await db.drop()
  const admin = new pg.Client(testDatabaseUrl())
  await admin.connect()
  try {
    await admin.query(`DROP ROLE IF EXISTS ${role}`)
  } finally {
    await admin.end()
  }
})

describe('FailureWriter', () => {
  it('retries while the database is out of connections (53300) and records once one frees up', async () => {
    const held = await occupyRoleConnections()
    const { writer, pool } = writerOnRole(10_000)
    const recording = Promise.all([
      writer.record([failure('wait-1'), failure('wait-2')]),
      writer.record([failure('wait-3')]),
    ])
    await new Promise((resolve) => setTimeout(resolve, 300))
    // Still out of connections: nothing recorded, nothing answered yet.
    expect(await storedKeys(['wait-1', 'wait-2', 'wait-3'])).toEqual([])
    await held[0]?.end()
    const [first, second] = await recording
    expect(first).toHaveLength(2)
    expect(second).toHaveLength(1)
    expect(await storedKeys(['wait-1', 'wait-2', 'wait-3'])).toEqual(['wait-1', 'wait-2', 'wait-3'])
    await held[1]?.end()
    await pool.end()
    rolePools = rolePools.filter((item) => item !== pool)
  })

  it('gives up after its budget with the database error, having recorded nothing', async () => {
    const held = await occupyRoleConnections()
    try {
      const { writer } = writerOnRole(250)
      const started = Date.now()
      await expect(writer.record([failure('never')])).rejects.toMatchObject({ code: '53300' })
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(await storedKeys(['never'])).toEqual([])
    } finally {
      await Promise.all(held.map((client) => client.end()))
    }
  })

  it('isolates records PostgreSQL refuses: the rest of the coalesced batch is stored, and they are kept, marked', async () => {
    const writer = new FailureWriter(new FailedQueryStore(db.pool))
    // jsonb refuses a NUL byte and a lone surrogate, in keys as in values (validation now stops them at ingest).
    const nulKey: NewFailure = { ...failure('poison-nul'), params: [7, { 'a\u0000': 1 }] }
    const surrogate: NewFailure = { ...failure('poison-surrogate'), params: [{ tags: ['\ud800'] }] }
    // The first record is written alone; the three after it wait and go as one INSERT.
    const alone = writer.record([failure('innocent-0')])
    const [first, second, third] = await Promise.all([
      writer.record([failure('innocent-1'), failure('innocent-2')]),
      writer.record([nulKey, failure('innocent-3')]),
      writer.record([surrogate]),
    ])
    const ids = [...(await alone), ...first, ...second, ...third]
    expect(ids.every((id) => id !== undefined)).toBe(true)
    expect(
      await storedKeys([
        ...[0, 1, 2, 3].map((n) => `innocent-${n}`),
        'poison-nul',
        'poison-surrogate',
      ]),
    ).toEqual([
      'innocent-0',
      'innocent-1',
      'innocent-2',
      'innocent-3',
      'poison-nul',
      'poison-surrogate',
    ])
    const views = await new FailedQueryStore(db.pool).getMany(ids.map((id) => id ?? '0'))
    const byKey = new Map(views.map((view) => [view.callbackId, view]))
    expect(byKey.get('innocent-3')).toMatchObject({ params: ['innocent-3'] })
    expect(byKey.get('innocent-3')?.paramsUnstorable).toBeUndefined()
    // Kept exactly as sent (as JSON text), marked with PostgreSQL's refusal.
    expect(byKey.get('poison-nul')?.params).toEqual([7, { 'a\u0000': 1 }])
    expect(byKey.get('poison-nul')?.paramsUnstorable).toMatchObject({ code: '22P05', kept: true })
    expect(byKey.get('poison-surrogate')?.params).toEqual([{ tags: ['\ud800'] }])
    expect(byKey.get('poison-surrogate')?.paramsUnstorable).toMatchObject({ kept: true })
    expect(byKey.get('poison-surrogate')?.error.message).toBe('sorry, too many clients already')
  })

  it('inserts under reserved ids idempotently, so a retry after a lost answer adds nothing twice', async () => {
    const store = new FailedQueryStore(db.pool)
    const ids = await store.reserveIds(2)
    await store.insert([failure('twice-1'), failure('twice-2')], ids)
    await store.insert([failure('twice-1'), failure('twice-2')], ids)
    expect(await storedKeys(['twice-1', 'twice-2'])).toEqual(['twice-1', 'twice-2'])
  })
})
