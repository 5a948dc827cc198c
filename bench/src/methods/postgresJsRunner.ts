import postgres from 'postgres'
import { postgresJsOptions } from '../database/benchTarget'
import type { BenchTarget } from '../database/benchTarget'
import type { QueryRunner, Row, Statement } from '../workloads/workload'

/** A connected postgres.js runner and how to let it go. */
export interface PostgresJsRunner extends QueryRunner {
  close(): Promise<void>
}

type Params = postgres.ParameterOrJSON<never>[]

/**
 * postgres.js with its automatic pipelining: every statement is sent at once on one connection
 * (the application fires them all and awaits them together); a group is `sql.begin(...)`.
 *
 * @example
 * const runner = await openPostgresJsRunner(target)
 * const pending = await runner.submit('SELECT 1 AS one', [])
 * await pending.done
 * await runner.close()
 */
export async function openPostgresJsRunner(target: BenchTarget): Promise<PostgresJsRunner> {
  const sql = postgres(postgresJsOptions(target))
  await sql`SELECT 1` // connect before the clock starts
  return {
    submit(text: string, params: readonly unknown[]) {
      // postgres.js queries are lazy: `then` sends it, right now, pipelined behind the others.
      // `prepare: true` is what its tagged templates do; unprepared `unsafe` queries with
      // parameters wait for a Describe round trip each and are not pipelined.
      const done = sql
        .unsafe<Row[]>(text, [...params] as Params, { prepare: true })
        .then((rows) => [...rows])
      return Promise.resolve({ done })
    },
    submitGroup(statements: readonly Statement[]) {
      const done = sql
        .begin((tx) =>
          statements.map((s) => tx.unsafe(s.sql, [...s.params] as Params, { prepare: true })),
        )
        .then(() => [] as Row[])
      return Promise.resolve({ done })
    },
    drain: () => Promise.resolve(),
    close: () => sql.end({ timeout: 5 }),
  }
}
