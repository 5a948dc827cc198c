import type pg from 'pg'

/**
 * Creates `table` with one row per applied query, keyed by the query's unique key. No unique
 * constraint on `key` on purpose: a query applied twice must show up as two rows, not be hidden
 * by a constraint error.
 *
 * @example
 * await createKeyTable(pool, 'events')
 * // each query: INSERT INTO events (key, grp) VALUES ($1, $2)
 * const counts = await rowsPerKey(pool, 'events')
 */
export async function createKeyTable(db: pg.Pool | pg.Client, table: string): Promise<void> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       id bigserial PRIMARY KEY,
       key text NOT NULL,
       grp text,
       applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
     )`,
  )
}

/** How many rows `table` holds per key. */
export async function rowsPerKey(
  db: pg.Pool | pg.Client,
  table: string,
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ key: string; n: string }>(
    `SELECT key, count(*) AS n FROM ${table} GROUP BY key`,
  )
  return new Map(rows.map((row) => [row.key, Number(row.n)]))
}
