import type pg from 'pg'
import { copyRows } from './copyText'
import { expectEqual, PendingSet } from './pendingSet'
import type { Row, Workload } from './workload'

/** Rows read per page of the source table. */
export const ETL_PAGE_SIZE = 1_000

const pageSql =
  'SELECT id, customer, amount_cents FROM etl_source WHERE id > $1 ORDER BY id LIMIT $2'
const insertSql = 'INSERT INTO etl_target (id, customer, amount, large) VALUES ($1, $2, $3, $4)'

type TargetRow = [number, string, string, boolean]

/** The transformation done in JS: normalize the name, cents to a decimal amount, flag large ones. */
function transform(row: Row): TargetRow {
  const cents = Number(row.amount_cents)
  const amount = `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
  return [Number(row.id), String(row.customer).trim().toUpperCase(), amount, cents >= 50_000]
}

async function readPage(client: pg.Client, after: number): Promise<Row[]> {
  return (await client.query<Row>(pageSql, [after, ETL_PAGE_SIZE])).rows
}

/**
 * ETL: read `size` rows of a source table in keyset pages of 1,000, transform each in JS, write
 * each to a target table.
 *
 * @example
 * await etl.run(runner, 100_000)
 */
export const etl: Workload = {
  id: 'etl',
  title: 'ETL (paged read, JS transform, write)',
  unit: 'rows',
  async setup(pool, size) {
    await pool.query(
      'CREATE TABLE etl_source (id int PRIMARY KEY, customer text NOT NULL, amount_cents int NOT NULL)',
    )
    await pool.query(
      'CREATE TABLE etl_target (id int PRIMARY KEY, customer text NOT NULL, amount numeric(12, 2) NOT NULL, large boolean NOT NULL)',
    )
    await pool.query(
      `INSERT INTO etl_source SELECT g, '  customer ' || (g % 977) || ' ', (g * 7919) % 100000
       FROM generate_series(1, $1::int) g`,
      [size],
    )
    await pool.query('ANALYZE etl_source')
  },
  async reset(pool) {
    await pool.query('TRUNCATE etl_target')
  },
  async run(runner, size) {
    const pending = new PendingSet()
    let after = 0
    let read = 0
    while (read < size) {
      const page = await (
        await runner.submit(pageSql, [after, Math.min(ETL_PAGE_SIZE, size - read)])
      ).done
      if (page.length === 0) break
      for (const row of page) pending.add(await runner.submit(insertSql, transform(row)))
      after = Number(page[page.length - 1]?.id)
      read += page.length
    }
    await runner.drain()
    await pending.wait()
    return { rowsRead: read }
  },
  async verify(pool, size, output) {
    const { rows } = await pool.query<{
      n: string
      amounts: string | null
      large: string
      names: string
      expected: string | null
    }>(
      `SELECT count(*) AS n, sum(t.amount) AS amounts, count(*) FILTER (WHERE t.large) AS large,
              count(*) FILTER (WHERE t.customer = upper(trim(s.customer))) AS names,
              (SELECT sum(amount_cents) / 100.0 FROM etl_source WHERE id <= $1) AS expected
       FROM etl_target t JOIN etl_source s USING (id)`,
      [size],
    )
    const large = await pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM etl_source WHERE id <= $1 AND amount_cents >= 50000',
      [size],
    )
    const row = rows[0]
    expectEqual('ETL rows read', output.rowsRead, size)
    expectEqual('ETL rows written', row?.n, size)
    expectEqual(
      'ETL sum(amount)',
      Number(row?.amounts ?? 0).toFixed(2),
      Number(row?.expected ?? 0).toFixed(2),
    )
    expectEqual('ETL rows flagged large', row?.large, large.rows[0]?.n)
    expectEqual('ETL rows with the normalized name', row?.names, size)
  },
  sluice: { strategies: ['best_effort', 'parallel', 'sequential', 'transactional'] },
  direct: [
    {
      id: 'hand-unnest',
      label: 'hand-written: per page, INSERT … SELECT unnest',
      kind: 'hand',
      async run({ main: client }, size) {
        let after = 0
        let read = 0
        while (read < size) {
          const page = await readPage(client, after)
          if (page.length === 0) break
          const rows = page.slice(0, size - read).map(transform)
          await client.query(
            'INSERT INTO etl_target (id, customer, amount, large) SELECT * FROM unnest($1::int[], $2::text[], $3::numeric[], $4::bool[])',
            [
              rows.map((r) => r[0]),
              rows.map((r) => r[1]),
              rows.map((r) => r[2]),
              rows.map((r) => r[3]),
            ],
          )
          after = rows[rows.length - 1]?.[0] ?? after
          read += rows.length
        }
        return { rowsRead: read }
      },
    },
    {
      id: 'copy',
      label: 'COPY FROM STDIN (pages read on a second connection)',
      kind: 'copy',
      async run({ main, second }, size) {
        // COPY holds its connection until the end, so pages are read on the second one.
        let read = 0
        async function* rows(): AsyncGenerator<TargetRow> {
          let after = 0
          while (read < size) {
            const page = await readPage(second, after)
            if (page.length === 0) return
            for (const row of page.slice(0, size - read)) yield transform(row)
            read += Math.min(page.length, size - read)
            after = Number(page[page.length - 1]?.id)
          }
        }
        await copyRows(main, 'etl_target (id, customer, amount, large)', rows())
        return { rowsRead: read }
      },
    },
  ],
}
