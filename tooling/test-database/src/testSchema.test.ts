import pg from 'pg'
import { describe, expect, it } from 'vitest'
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
