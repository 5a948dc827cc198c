import { expectEqual, PendingSet } from './pendingSet'
import type { Workload, WorkloadOutput } from './workload'

const readSql = 'SELECT id, name, value FROM items WHERE id = $1'

/** The table holds ten times as many rows as are read. */
function tableRows(size: number): number {
  return Math.max(10_000, size * 10)
}

/** The i-th key read: distinct keys spread over the table (7919 is prime). */
function key(i: number, size: number): number {
  return ((i * 7919) % tableRows(size)) + 1
}

function valueOf(id: number): number {
  return (id * 13) % 1000
}

function summarizeRows(rows: readonly Record<string, unknown>[]): WorkloadOutput {
  let checksum = 0
  for (const row of rows) checksum += Number(row.value) + Number(row.id)
  return { rowsRead: rows.length, checksum }
}

/**
 * Multi-get: `size` point reads by primary key, all wanted at once (a DataLoader's job).
 *
 * @example
 * const { rowsRead } = await multiGet.run(runner, 1_000)
 */
export const multiGet: Workload = {
  id: 'multi-get',
  title: 'multi-get (point reads)',
  unit: 'reads',
  async setup(pool, size) {
    await pool.query(
      'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, value int NOT NULL)',
    )
    await pool.query(
      "INSERT INTO items SELECT g, 'item-' || g, (g * 13) % 1000 FROM generate_series(1, $1::int) g",
      [tableRows(size)],
    )
    await pool.query('ANALYZE items')
  },
  async reset() {
    // Reads change nothing.
  },
  async run(runner, size) {
    const pending = new PendingSet()
    for (let i = 0; i < size; i++) pending.add(await runner.submit(readSql, [key(i, size)]))
    await runner.drain()
    return summarizeRows((await pending.wait()).flat())
  },
  verify(_pool, size, output) {
    let checksum = 0
    for (let i = 0; i < size; i++) checksum += valueOf(key(i, size)) + key(i, size)
    expectEqual('multi-get rows read', output.rowsRead, size)
    expectEqual('multi-get checksum of the rows read', output.checksum, checksum)
    return Promise.resolve()
  },
  sluice: { strategies: ['parallel', 'best_effort', 'sequential'] },
  direct: [
    {
      id: 'hand-any',
      label: 'hand-written SELECT … WHERE id = ANY($1)',
      kind: 'hand',
      async run({ main: client }, size) {
        const keys = Array.from({ length: size }, (_, i) => key(i, size))
        const { rows } = await client.query<Record<string, unknown>>(
          'SELECT id, name, value FROM items WHERE id = ANY($1::int[])',
          [keys],
        )
        return summarizeRows(rows)
      },
    },
  ],
}
