import { expectEqual, PendingSet } from './pendingSet'
import type { Statement, Workload } from './workload'

const debitSql = 'UPDATE accounts SET balance = balance - $2 WHERE id = $1'
const creditSql = 'UPDATE accounts SET balance = balance + $2 WHERE id = $1'
const recordSql = 'INSERT INTO transfers (id, from_id, to_id, amount) VALUES ($1, $2, $3, $4)'
const OPENING_BALANCE = 1_000_000

function accountCount(size: number): number {
  return Math.max(100, Math.floor(size / 2))
}

interface Transfer {
  readonly id: number
  readonly from: number
  readonly to: number
  readonly amount: number
}

/** The i-th transfer: accounts repeat across transfers, so ordering and atomicity matter. */
function transfer(i: number, size: number): Transfer {
  const accounts = accountCount(size)
  const from = ((i * 31) % accounts) + 1
  let to = ((i * 17 + 5) % accounts) + 1
  if (to === from) to = (to % accounts) + 1
  return { id: i + 1, from, to, amount: (i % 97) + 1 }
}

function statements(t: Transfer): Statement[] {
  return [
    { sql: debitSql, params: [t.from, t.amount] },
    { sql: creditSql, params: [t.to, t.amount] },
    { sql: recordSql, params: [t.id, t.from, t.to, t.amount] },
  ]
}

/**
 * Transfers: `size` money transfers, each a transaction of two UPDATEs and one INSERT.
 *
 * @example
 * await transfers.run(runner, 1_000)
 */
export const transfers: Workload = {
  id: 'transfers',
  title: 'transfers (2 UPDATEs + 1 INSERT per transaction)',
  unit: 'transfers',
  async setup(pool) {
    await pool.query('CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)')
    await pool.query(
      'CREATE TABLE transfers (id int PRIMARY KEY, from_id int NOT NULL, to_id int NOT NULL, amount bigint NOT NULL)',
    )
  },
  async reset(pool, size) {
    await pool.query('TRUNCATE accounts, transfers')
    await pool.query(
      'INSERT INTO accounts SELECT g, $2::bigint FROM generate_series(1, $1::int) g',
      [accountCount(size), OPENING_BALANCE],
    )
    await pool.query('ANALYZE accounts')
  },
  async run(runner, size) {
    const pending = new PendingSet()
    for (let i = 0; i < size; i++)
      pending.add(await runner.submitGroup(statements(transfer(i, size))))
    await runner.drain()
    await pending.wait()
    return {}
  },
  async verify(pool, size) {
    const expected = new Map<number, number>()
    for (let id = 1; id <= accountCount(size); id++) expected.set(id, OPENING_BALANCE)
    let total = 0
    for (let i = 0; i < size; i++) {
      const t = transfer(i, size)
      expected.set(t.from, (expected.get(t.from) ?? 0) - t.amount)
      expected.set(t.to, (expected.get(t.to) ?? 0) + t.amount)
      total += t.amount
    }
    const balances = await pool.query<{ id: number; balance: string }>(
      'SELECT id, balance FROM accounts ORDER BY id',
    )
    expectEqual('transfers: number of accounts', balances.rows.length, expected.size)
    const wrong = balances.rows.filter((r) => Number(r.balance) !== expected.get(r.id))
    expectEqual('transfers: accounts with a wrong balance', wrong.length, 0)
    const recorded = await pool.query<{ n: string; total: string | null }>(
      'SELECT count(*) AS n, sum(amount) AS total FROM transfers',
    )
    expectEqual('transfers recorded', recorded.rows[0]?.n, size)
    expectEqual('transfers: sum(amount)', recorded.rows[0]?.total ?? 0, total)
  },
  // Only a transactional pipeline keeps each transfer atomic; batches are multiples of 3.
  sluice: { strategies: ['transactional'], settings: { batchSize: 999 } },
  direct: [
    {
      id: 'hand-unnest',
      label: 'hand-written: one transaction, UPDATE … FROM unnest + INSERT … unnest',
      kind: 'hand',
      async run({ main: client }, size) {
        const all = Array.from({ length: size }, (_, i) => transfer(i, size))
        await client.query('BEGIN')
        try {
          await client.query(
            `UPDATE accounts AS a SET balance = a.balance + d.delta
             FROM (SELECT id, sum(delta) AS delta FROM unnest($1::int[], $2::bigint[]) AS u(id, delta) GROUP BY id) AS d
             WHERE a.id = d.id`,
            [all.flatMap((t) => [t.from, t.to]), all.flatMap((t) => [-t.amount, t.amount])],
          )
          await client.query(
            'INSERT INTO transfers (id, from_id, to_id, amount) SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::bigint[])',
            [
              all.map((t) => t.id),
              all.map((t) => t.from),
              all.map((t) => t.to),
              all.map((t) => t.amount),
            ],
          )
          await client.query('COMMIT')
        } catch (error) {
          await client.query('ROLLBACK')
          throw error
        }
        return {}
      },
    },
  ],
}
