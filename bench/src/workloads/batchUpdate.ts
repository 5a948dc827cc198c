import { expectEqual, PendingSet } from './pendingSet'
import type { Workload } from './workload'

const updateSql = 'UPDATE items SET value = $2 WHERE id = $1'

function newValue(id: number): number {
  return ((id * 7) % 1000) + 1
}

/**
 * Batch update: `size` single-row UPDATEs by primary key (each row gets a new value).
 *
 * @example
 * await batchUpdate.run(runner, 5_000)
 */
export const batchUpdate: Workload = {
  id: 'batch-update',
  title: 'batch update by key',
  unit: 'rows',
  async setup(pool) {
    await pool.query(
      'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, value int NOT NULL)',
    )
  },
  async reset(pool, size) {
    // A fresh table each run, so no run pays for another's dead rows.
    await pool.query('TRUNCATE items')
    await pool.query(
      "INSERT INTO items SELECT g, 'item-' || g, 0 FROM generate_series(1, $1::int) g",
      [size],
    )
    await pool.query('ANALYZE items')
  },
  async run(runner, size) {
    const pending = new PendingSet()
    for (let id = 1; id <= size; id++)
      pending.add(await runner.submit(updateSql, [id, newValue(id)]))
    await runner.drain()
    await pending.wait()
    return {}
  },
  async verify(pool, size) {
    const { rows } = await pool.query<{ n: string; updated: string }>(
      'SELECT count(*) AS n, count(*) FILTER (WHERE value = (id * 7) % 1000 + 1) AS updated FROM items',
    )
    expectEqual('batch update row count', rows[0]?.n, size)
    expectEqual('batch update rows holding their new value', rows[0]?.updated, size)
  },
  sluice: { strategies: ['best_effort', 'parallel', 'sequential', 'transactional'] },
  direct: [
    {
      id: 'hand-unnest',
      label: 'hand-written UPDATE … FROM unnest',
      kind: 'hand',
      async run({ main: client }, size) {
        const ids = Array.from({ length: size }, (_, i) => i + 1)
        await client.query(
          'UPDATE items AS t SET value = u.value FROM unnest($1::int[], $2::int[]) AS u(id, value) WHERE t.id = u.id',
          [ids, ids.map(newValue)],
        )
        return {}
      },
    },
  ],
}
