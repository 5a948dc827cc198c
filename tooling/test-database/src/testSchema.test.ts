import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createTestDatabase } from './testDatabase'
import { createTestSchema, testDatabaseUrl } from './testSchema'

describe('createTestSchema', () => {
  it('gives sessions on its url a search_path of its own schema, and drop() removes it', async () => {
    const schema = await createTestSchema('own schema')
    await schema.pool.query('CREATE TABLE things (id int)')
    const client = new pg.Client({ connectionString: schema.url })
    await client.connect()
    const { rows } = await client.query<{ schema: string }>(
      "SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'things'",
    )
    await client.end()
    expect(rows.map((r) => r.schema)).toContain(schema.name)
    expect(schema.name).toMatch(/^test_own_schema_[0-9a-f]{8}$/)

    await schema.drop()
    const admin = new pg.Client({ connectionString: testDatabaseUrl() })
    await admin.connect()
    const left = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema.name])
    await admin.end()
    expect(left.rowCount).toBe(0)
  })

  it('gives two calls two different schemas', async () => {
    const [a, b] = await Promise.all([createTestSchema('same'), createTestSchema('same')])
    expect(a.name).not.toBe(b.name)
    await Promise.all([a.drop(), b.drop()])
  })
})

describe('createTestDatabase', () => {
  it('creates a database of its own that drop() removes, even with a session still on it', async () => {
    const db = await createTestDatabase('own db')
    const { rows } = await db.pool.query<{ name: string }>('SELECT current_database() AS name')
    expect(rows[0]?.name).toBe(db.name)
    const lingering = new pg.Client({ connectionString: db.url })
    await lingering.connect()
    lingering.on('error', () => undefined)

    await db.drop()
    const admin = new pg.Client({ connectionString: testDatabaseUrl() })
    await admin.connect()
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name])
    await admin.end()
    await lingering.end().catch(() => undefined)
    expect(left.rowCount).toBe(0)
  })
})
