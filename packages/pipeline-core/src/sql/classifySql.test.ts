import { describe, expect, it } from 'vitest'
import { classifySql } from './classifySql'

describe('classifySql', () => {
  it('treats a plain SELECT with allow-listed functions as read-only', async () => {
    const c = await classifySql(
      'SELECT lower(name), count(*) FROM public.users u JOIN orders o ON o.user_id = u.id GROUP BY 1',
    )
    expect(c).toMatchObject({
      statementCount: 1,
      readOnly: true,
      reads: ['orders', 'public.users'],
      writes: [],
      writesUnknown: false,
      operation: 'SELECT',
      collection: 'public.users',
      transactionSafe: true,
    })
  })

  it('treats VALUES as read-only', async () => {
    expect((await classifySql('VALUES (1, 2), (3, 4)')).readOnly).toBe(true)
  })

  it('sees a data-modifying CTE as a write of its target', async () => {
    const c = await classifySql(
      'WITH gone AS (DELETE FROM jobs WHERE done RETURNING id) SELECT count(*) FROM gone',
    )
    expect(c.readOnly).toBe(false)
    expect(c.writes).toEqual(['jobs'])
    // `gone` is a CTE, not a table.
    expect(c.reads).toEqual(['jobs'])
  })

  it('sees SELECT ... FOR UPDATE and FOR SHARE (also in a subquery) as not read-only', async () => {
    expect((await classifySql('SELECT * FROM accounts WHERE id = $1 FOR UPDATE')).readOnly).toBe(
      false,
    )
    expect((await classifySql('SELECT * FROM (SELECT * FROM a FOR SHARE) s')).readOnly).toBe(false)
  })

  it('sees nextval, setval, advisory locks, random and unknown functions as writes', async () => {
    for (const sql of [
      "SELECT nextval('seq')",
      "SELECT setval('seq', 10)",
      'SELECT pg_advisory_lock(1)',
      'SELECT random()',
      'SELECT clock_timestamp()',
      'SELECT my_schema.lower(x) FROM t',
      'SELECT * FROM t WHERE id = my_func($1)',
    ]) {
      const c = await classifySql(sql)
      expect(c.readOnly, sql).toBe(false)
      expect(c.writesUnknown, sql).toBe(true)
    }
    expect((await classifySql('SELECT pg_catalog.now()')).readOnly).toBe(true)
  })

  it('does not treat TABLESAMPLE reads as read-only (each run samples anew)', async () => {
    expect((await classifySql('SELECT * FROM t TABLESAMPLE SYSTEM (10)')).readOnly).toBe(false)
  })

  it('sees SELECT INTO as a write', async () => {
    expect((await classifySql('SELECT * INTO copy FROM t')).readOnly).toBe(false)
  })

  it('reports INSERT ... SELECT as reading the source and writing the target, unmergeable', async () => {
    const c = await classifySql('INSERT INTO archive (id) SELECT id FROM live WHERE old')
    expect(c).toMatchObject({
      readOnly: false,
      reads: ['live'],
      writes: ['archive'],
      operation: 'INSERT',
      collection: 'archive',
    })
    expect(c.shape).toBeUndefined()
  })

  it('gives a single-row INSERT its merge shape, with ON CONFLICT and RETURNING flagged', async () => {
    const plain = await classifySql('INSERT INTO s.items (id, name) VALUES ($1, $2)')
    expect(plain.shape).toEqual({
      kind: 'insert',
      table: { schema: 's', name: 'items' },
      columns: ['id', 'name'],
      rowParams: [1, 2],
      returning: false,
      onConflict: false,
    })
    const upsert = await classifySql(
      'INSERT INTO items (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id',
    )
    expect(upsert.shape).toMatchObject({ kind: 'insert', returning: true, onConflict: true })
    expect(upsert.reads).toEqual([])
    expect(upsert.writes).toEqual(['items'])
  })

  it('does not give multi-row or subquery INSERTs an insert shape', async () => {
    expect((await classifySql('INSERT INTO t (a) VALUES ($1), ($2)')).shape).toBeUndefined()
    expect(
      (await classifySql('INSERT INTO t (a) VALUES ((SELECT max(a) FROM t) + $1)')).shape,
    ).toBeUndefined()
    expect((await classifySql('INSERT INTO t (a) VALUES (now())')).shape).toBeUndefined()
  })

  it('keeps quoted identifiers and schemas as written', async () => {
    const c = await classifySql('UPDATE "My Schema"."Order Items" SET "Qty" = $1 WHERE "Id" = $2')
    expect(c.writes).toEqual(['My Schema.Order Items'])
    expect(c.shape).toEqual({
      kind: 'keyed_update',
      table: { schema: 'My Schema', name: 'Order Items' },
      keyColumn: 'Id',
      keyParam: 2,
      assignments: [{ column: 'Qty', param: 1 }],
    })
    // Unquoted names are folded to lower case by the parser, as PostgreSQL does.
    expect((await classifySql('SELECT * FROM Users')).reads).toEqual(['users'])
  })

  it('is not fooled by comments or by SQL inside string literals', async () => {
    const c = await classifySql(
      "/* DELETE FROM x */ SELECT 'INSERT INTO y VALUES (1)' AS s -- ; DROP TABLE z\n FROM t",
    )
    expect(c).toMatchObject({ statementCount: 1, readOnly: true, reads: ['t'], writes: [] })
  })

  it('counts several statements in one string and gives them no merge shape', async () => {
    const c = await classifySql('INSERT INTO t (a) VALUES ($1); SELECT * FROM t')
    expect(c.statementCount).toBe(2)
    expect(c.readOnly).toBe(false)
    expect(c.shape).toBeUndefined()
    expect(c.writes).toEqual(['t'])
  })

  it('reports syntax errors with a PostgreSQL-style position', async () => {
    const c = await classifySql('SELECT 1 FRO t')
    expect(c.statementCount).toBe(0)
    expect(c.syntaxError?.message).toContain('syntax error')
    expect(c.syntaxError?.position).toBe(14)
    expect(c.readOnly).toBe(false)
  })

  it('marks statements that cannot share a transaction', async () => {
    for (const sql of [
      'BEGIN',
      'COMMIT',
      'SAVEPOINT a',
      'VACUUM t',
      'CREATE INDEX CONCURRENTLY i ON t (a)',
      'DROP INDEX CONCURRENTLY i',
      'CREATE DATABASE x',
      'SET search_path = a',
      'LOCK TABLE t',
    ]) {
      expect((await classifySql(sql)).transactionSafe, sql).toBe(false)
    }
    for (const sql of [
      'ANALYZE t',
      'CREATE INDEX i ON t (a)',
      'INSERT INTO t VALUES (1)',
      'TRUNCATE t',
    ]) {
      expect((await classifySql(sql)).transactionSafe, sql).toBe(true)
    }
    expect((await classifySql('BEGIN')).operation).toBe('BEGIN')
  })

  it('sees DDL as writing its objects and maybe more', async () => {
    expect(await classifySql('DROP TABLE a, s.b')).toMatchObject({
      writes: ['a', 's.b'],
      writesUnknown: true,
      operation: 'DROP',
    })
    expect(await classifySql('TRUNCATE a')).toMatchObject({ writes: ['a'], operation: 'TRUNCATE' })
    expect(await classifySql('CREATE TABLE n (id int)')).toMatchObject({
      writes: ['n'],
      operation: 'CREATE TABLE',
    })
  })

  it('recognises point reads only in their narrow shape', async () => {
    expect((await classifySql('SELECT id, name FROM users WHERE id = $1')).shape).toEqual({
      kind: 'point_read',
      table: { name: 'users' },
      keyColumn: 'id',
    })
    expect(
      (await classifySql('SELECT * FROM users u WHERE $1 = u.id AND active')).shape,
    ).toMatchObject({ keyColumn: 'id' })
    for (const sql of [
      'SELECT * FROM users WHERE id = $1 ORDER BY name',
      'SELECT * FROM users WHERE id = $1 LIMIT 1',
      'SELECT DISTINCT name FROM users WHERE id = $1',
      'SELECT * FROM users WHERE id = $1 FOR UPDATE',
      'SELECT * FROM users WHERE id > $1',
      'SELECT * FROM users WHERE id = $1 OR id = 2',
      'SELECT * FROM users WHERE id = $1::int',
      'SELECT * FROM users, orders WHERE users.id = $1',
      'SELECT * FROM users WHERE id = $1 AND name = $2',
      "SELECT nextval('s') FROM users WHERE id = $1",
    ]) {
      expect((await classifySql(sql)).shape, sql).toBeUndefined()
    }
  })

  it('refuses keyed UPDATEs that change the key, use FROM/RETURNING or expressions', async () => {
    for (const sql of [
      'UPDATE t SET id = $1 WHERE id = $2',
      'UPDATE t SET n = n + $1 + 1 WHERE id = $2',
      'UPDATE t SET n = n / $1 WHERE id = $2',
      'UPDATE t SET n = other.n + $1 WHERE id = $2',
      'UPDATE t SET n = $1 WHERE id = $2 RETURNING *',
      'UPDATE t SET n = $1 FROM u WHERE t.id = $2',
      'UPDATE t SET n = $1 WHERE id = $2 AND v = 1',
    ]) {
      expect((await classifySql(sql)).shape, sql).toBeUndefined()
    }
    expect(
      (await classifySql("UPDATE t SET n = $1, s = 'done' WHERE id = $2")).shape,
    ).toMatchObject({ kind: 'keyed_update' })
    expect(
      (await classifySql('UPDATE t AS a SET n = a.n - $1, s = $2 || s WHERE id = $3')).shape,
    ).toMatchObject({
      assignments: [
        { column: 'n', param: 1, operation: { operand: 'n', operator: '-' } },
        { column: 's', param: 2, operation: { operand: 's', operator: '||' } },
      ],
    })
  })

  it('tells which statements may change the catalog or name resolution', async () => {
    for (const sql of [
      'CREATE TABLE x (a int)',
      'SET search_path = s',
      'SELECT my_func()',
      'INSERT INTO t SELECT f(a) FROM u',
    ]) {
      expect((await classifySql(sql)).mayChangeCatalog, sql).toBe(true)
    }
    for (const sql of [
      "SELECT nextval('s')",
      'INSERT INTO t (a) VALUES ($1)',
      'SELECT 1 FRO',
      'UPDATE t SET a = random()',
    ]) {
      expect((await classifySql(sql)).mayChangeCatalog, sql).toBe(false)
    }
  })

  it('caches by text', async () => {
    expect(await classifySql('SELECT 1')).toBe(await classifySql('SELECT 1'))
  })
})

describe('statement fingerprints', () => {
  it('are equal for one shape with other constants, spacing and case', async () => {
    const a = await classifySql("SELECT * FROM orders WHERE id = 5 AND status = 'paid'")
    const b = await classifySql("select *  from orders where id = 912 and status = 'open'")
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/)
    expect(b.fingerprint).toBe(a.fingerprint)
    expect(a.normalized).toBe('SELECT * FROM orders WHERE id = $1 AND status = $2')
  })

  it('are equal for a parameter and a constant in the same place', async () => {
    const a = await classifySql('INSERT INTO t (a, b) VALUES ($1, $2)')
    const b = await classifySql("INSERT INTO t (a, b) VALUES (1, 'x')")
    expect(b.fingerprint).toBe(a.fingerprint)
  })

  it('differ for other shapes', async () => {
    const shapes = [
      'SELECT * FROM orders WHERE id = $1',
      'SELECT * FROM orders WHERE customer = $1',
      'SELECT id FROM orders WHERE id = $1',
      'SELECT * FROM invoices WHERE id = $1',
      'DELETE FROM orders WHERE id = $1',
    ]
    const prints = await Promise.all(
      shapes.map(async (sql) => (await classifySql(sql)).fingerprint),
    )
    expect(new Set(prints).size).toBe(shapes.length)
  })

  it('identify a text that does not parse by the text itself', async () => {
    const a = await classifySql('SELEC 1')
    expect(a.syntaxError).toBeDefined()
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/)
    expect((await classifySql('SELEC 2')).fingerprint).not.toBe(a.fingerprint)
    expect(a.normalized).toBe('SELEC 1')
  })
})
