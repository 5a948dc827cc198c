import pg from 'pg'
import { pgConfig } from '../database/benchTarget'
import type { BenchTarget } from '../database/benchTarget'
import type { Pending, QueryRunner, Row, Statement } from '../workloads/workload'

/** A connected naive runner and how to let it go. */
export interface NaiveRunner extends QueryRunner {
  close(): Promise<void>
}

/**
 * The naive form: one pg client, every statement awaited before the next is sent (one round trip
 * per statement); a group is BEGIN, its statements, COMMIT.
 *
 * @example
 * const runner = await openNaiveRunner(target)
 * await (await runner.submit('SELECT 1', [])).done
 * await runner.close()
 */
export async function openNaiveRunner(target: BenchTarget): Promise<NaiveRunner> {
  const client = new pg.Client(pgConfig(target))
  await client.connect()
  const settled = (rows: Row[]): Pending => ({ done: Promise.resolve(rows) })
  return {
    async submit(sql: string, params: readonly unknown[]) {
      const result = await client.query<Row>(sql, [...params])
      return settled(result.rows)
    },
    async submitGroup(statements: readonly Statement[]) {
      await client.query('BEGIN')
      try {
        for (const s of statements) await client.query(s.sql, [...s.params])
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      }
      return settled([])
    },
    drain: () => Promise.resolve(),
    close: () => client.end(),
  }
}
