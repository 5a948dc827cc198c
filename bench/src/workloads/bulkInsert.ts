import { chunks, copyRows } from './copyText'
import { expectEqual, PendingSet } from './pendingSet'
import type { Workload } from './workload'

const insertSql = 'INSERT INTO items (id, name, value) VALUES ($1, $2, $3)'

/** Row i of the workload (1-based ids). */
function item(i: number): [number, string, number] {
  return [i + 1, `item-${i + 1}`, ((i + 1) * 7) % 1000]
}

function items(from: number, to: number): [number, string, number][] {
  const rows: [number, string, number][] = []
  for (let i = from; i < to; i++) rows.push(item(i))
  return rows
}

/**
 * Bulk insert: `size` single-row INSERTs into an empty table.
 *
 * @example
 * await bulkInsert.run(runner, 10_000)
 */
export const bulkInsert: Workload = {
  id: 'bulk-insert',
  title: 'bulk insert',
  unit: 'rows',
  async setup(pool) {
    await pool.query(
      'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, value int NOT NULL)',
    )
  },
  async reset(pool) {
    await pool.query('TRUNCATE items')
  },
  async run(runner, size) {
    const pending = new PendingSet()
    for (let i = 0; i < size; i++) pending.add(await runner.submit(insertSql, item(i)))
    await runner.drain()
    await pending.wait()
    return {}
  },
  async verify(pool, size) {
    const { rows } = await pool.query<{
      n: string
      ids: string | null
      values: string | null
      names: string
    }>(
      `SELECT count(*) AS n, sum(id) AS ids, sum(value) AS values,
              count(*) FILTER (WHERE name = 'item-' || id) AS names FROM items`,
    )
    const row = rows[0]
    let values = 0
    for (let i = 0; i < size; i++) values += item(i)[2]
    expectEqual('bulk insert row count', row?.n, size)
    expectEqual('bulk insert sum(id)', row?.ids ?? 0, (size * (size + 1)) / 2)
    expectEqual('bulk insert sum(value)', row?.values ?? 0, values)
    expectEqual('bulk insert rows with the right name', row?.names, size)
  },
  sluice: { strategies: ['best_effort', 'parallel', 'sequential', 'transactional'] },
  direct: [
    {
      id: 'hand-multirow',
      label: 'hand-written multi-row INSERT (1,000 rows each)',
      kind: 'hand',
      async run({ main: client }, size) {
        for (const [from, to] of chunks(size, 1_000)) {
          const rows = items(from, to)
          const values = rows
            .map((_, r) => `($${r * 3 + 1}, $${r * 3 + 2}, $${r * 3 + 3})`)
            .join(', ')
          await client.query(`INSERT INTO items (id, name, value) VALUES ${values}`, rows.flat())
        }
        return {}
      },
    },
    {
      id: 'hand-unnest',
      label: 'hand-written INSERT … SELECT unnest (one statement)',
      kind: 'hand',
      async run({ main: client }, size) {
        const rows = items(0, size)
        await client.query(
          'INSERT INTO items (id, name, value) SELECT * FROM unnest($1::int[], $2::text[], $3::int[])',
          [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
        )
        return {}
      },
    },
    {
      id: 'copy',
      label: 'COPY FROM STDIN',
      kind: 'copy',
      async run({ main: client }, size) {
        await copyRows(client, 'items (id, name, value)', items(0, size))
        return {}
      },
    },
  ],
}
