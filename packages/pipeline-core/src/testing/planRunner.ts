import type pg from 'pg'
import type { BatchQuery, Plan, PlannedStatement, PlanningContext } from '../plan/plan'
import type { Strategy } from '@sluice/contract'
import { classifyIfLoaded } from '../sql/classifySql'
import { loadParser } from '../sql/parser'
import type { Row } from '../types'

/** One query's outcome, as the tests compare it. */
export interface RunOutcome {
  status: 'succeeded' | 'failed'
  rows: Row[]
  rowCount: number
  code?: string
}

/** A PlanningContext whose helper queries run on `pool`. */
export function poolContext(pool: pg.Pool, strategy: Strategy): PlanningContext {
  return {
    strategy,
    query: async (text, values) => {
      const result = await pool.query(text, values as unknown[])
      return { rows: result.rows as Row[], rowCount: result.rowCount }
    },
  }
}

// Batches carry their queries' classifications, which need the parser.
await loadParser()

/** Batch queries from `[sql, params]` pairs, classified as the intake would. */
export function batch(items: readonly (readonly [string, readonly unknown[]])[]): BatchQuery[] {
  return items.map(([sql, params], index) => ({
    index,
    sql,
    params,
    classification: classifyIfLoaded(sql),
  }))
}

async function runStatement(
  client: pg.PoolClient,
  statement: PlannedStatement,
  outcomes: RunOutcome[],
): Promise<void> {
  try {
    const result = await client.query(statement.text, statement.values as unknown[])
    const shares = statement.distribute({ rows: result.rows as Row[], rowCount: result.rowCount })
    statement.queryIndexes.forEach((index, position) => {
      const share = shares[position]
      outcomes[index] = {
        status: 'succeeded',
        rows: share?.rows ?? [],
        rowCount: share?.rowCount ?? -1,
      }
    })
  } catch (error) {
    const parts = statement.split()
    if (parts) {
      for (const part of parts) await runStatement(client, part, outcomes)
      return
    }
    const code = (error as { code?: string }).code
    for (const index of statement.queryIndexes)
      outcomes[index] = { status: 'failed', rows: [], rowCount: 0, ...(code ? { code } : {}) }
  }
}

/**
 * Runs a plan the way `best_effort` does in its simplest form (autocommit, in plan order,
 * bisecting failed merged statements with `split()`), so planner tests can check results against
 * PostgreSQL before and independently of the pipeline runtime.
 */
export async function runPlan(pool: pg.Pool, plan: Plan, size: number): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = new Array<RunOutcome>(size)
  const client = await pool.connect()
  try {
    for (const statement of plan.statements) await runStatement(client, statement, outcomes)
  } finally {
    client.release()
  }
  return outcomes
}

/** Runs each query alone, in order, in autocommit: the reference the optimizer must match. */
export async function runOneByOne(
  pool: pg.Pool,
  queries: readonly BatchQuery[],
): Promise<RunOutcome[]> {
  const client = await pool.connect()
  const outcomes: RunOutcome[] = []
  try {
    for (const query of queries) {
      try {
        const result = await client.query(query.sql, query.params as unknown[])
        outcomes.push({
          status: 'succeeded',
          rows: result.rows as Row[],
          rowCount: result.rowCount ?? 0,
        })
      } catch (error) {
        const code = (error as { code?: string }).code
        outcomes.push({ status: 'failed', rows: [], rowCount: 0, ...(code ? { code } : {}) })
      }
    }
  } finally {
    client.release()
  }
  return outcomes
}

/** Rows sorted by their JSON, for comparing results whose row order SQL leaves open. */
export function sortedRows(outcomes: readonly RunOutcome[]): RunOutcome[] {
  return outcomes.map((outcome) => ({
    ...outcome,
    rows: [...outcome.rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  }))
}
