import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPrivatePostgres, type PrivatePostgres } from './privatePostgres'

describe('startPrivatePostgres', () => {
  let server: PrivatePostgres
  beforeAll(async () => {
    server = await startPrivatePostgres()
  })
  afterAll(async () => {
    await server.destroy()
  })

  it('restarts on the same data, ending every open session, and counts terminated backends', async () => {
    const url = await server.createDatabase('infra')
    const setup = new pg.Client({ connectionString: url })
    await setup.connect()
    await setup.query('CREATE TABLE kept (v int)')
    await setup.query('INSERT INTO kept VALUES (7)')
    setup.on('error', () => undefined)

    await server.restart()
    await expect(setup.query('SELECT 1')).rejects.toThrow()
    await setup.end().catch(() => undefined)

    const after = new pg.Client({ connectionString: url })
    after.on('error', () => undefined)
    await after.connect()
    const { rows } = await after.query<{ v: number }>('SELECT v FROM kept')
    expect(rows).toEqual([{ v: 7 }])

    const victim = new pg.Client({ connectionString: url })
    victim.on('error', () => undefined)
    await victim.connect()
    expect(await server.terminateBackends('infra')).toBeGreaterThanOrEqual(2)
    await expect(victim.query('SELECT 1')).rejects.toThrow()
    await after.end().catch(() => undefined)
    await victim.end().catch(() => undefined)
  })

  it('refuses a wrong password (scram auth), so URLs in tests carry a real secret', async () => {
    const client = new pg.Client({
      connectionString: server.url('postgres', { user: 'postgres', password: 'wrong' }),
    })
    await expect(client.connect()).rejects.toThrow(/password authentication failed/)
  })
})
