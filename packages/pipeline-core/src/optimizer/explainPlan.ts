import { classifyIfLoaded } from '../sql/classifySql'
import { loadParser } from '../sql/parser'
import type {
  BatchQuery,
  Plan,
  PlannedStatement,
  Planner,
  PlanningContext,
  StatementKind,
} from '../plan/plan'
import { createOptimizingPlanner } from './planner/optimizingPlanner'

/** One statement of an explained plan. */
export interface ExplainedStatement {
  /** 1-based execution position. */
  readonly position: number
  readonly kind: StatementKind
  /** Batch indexes of the queries it answers. */
  readonly queries: readonly number[]
  readonly text: string
  readonly parameterCount: number
  readonly operation?: string
  readonly collection?: string
  /** Whether it answers a query ahead of an earlier-submitted query of a later statement. */
  readonly moved: boolean
  /** What the optimizer did, in words. */
  readonly why: string
}

/** A plan as people read it: statements, counters, notes, and a printable summary. */
export interface PlanExplanation {
  readonly strategy: PlanningContext['strategy']
  readonly queryCount: number
  readonly statements: readonly ExplainedStatement[]
  readonly deduplicated: number
  readonly merged: number
  readonly reordered: boolean
  /** Why things were not merged or moved. */
  readonly notes: readonly string[]
  /** The whole explanation as text, one statement per line. */
  readonly summary: string
}

const MAX_TEXT = 160

function ranges(indexes: readonly number[]): string {
  const parts: string[] = []
  let start = indexes[0]
  let previous = start
  for (const index of [...indexes.slice(1), Number.NaN]) {
    if (start === undefined || previous === undefined) break
    if (index === previous + 1) {
      previous = index
      continue
    }
    parts.push(start === previous ? String(start) : `${String(start)}-${String(previous)}`)
    start = index
    previous = index
  }
  return parts.join(', ')
}

function why(statement: PlannedStatement): string {
  const count = statement.queryIndexes.length
  const table = statement.collection ?? 'its table'
  switch (statement.kind) {
    case 'single':
      return 'sent as written'
    case 'deduplicated':
      return `${String(count)} identical reads (same text and parameters, no write between them): run once, every copy gets the rows`
    case 'merged_insert':
      return `${String(count)} single-row INSERTs into ${table} merged into one multi-row INSERT`
    case 'point_read': {
      const keys = Array.isArray(statement.values[0]) ? statement.values[0].length : count
      return `${String(count)} point reads of ${table} (${String(keys)} distinct keys) merged into one read by key; rows go back per key`
    }
    case 'keyed_update':
      return `${String(count)} keyed UPDATEs of ${table} with distinct keys merged into one UPDATE ... FROM unnest(...)`
  }
}

/** Describes a plan that was already made (see `explainPlan` to make one). */
export function describePlan(
  plan: Plan,
  strategy: PlanningContext['strategy'],
  queryCount: number,
): PlanExplanation {
  const laterMin: number[] = []
  let min = Number.POSITIVE_INFINITY
  for (let i = plan.statements.length - 1; i >= 0; i--) {
    laterMin[i] = min
    for (const index of plan.statements[i]?.queryIndexes ?? []) min = Math.min(min, index)
  }
  const statements = plan.statements.map((statement, i): ExplainedStatement => ({
    position: i + 1,
    kind: statement.kind,
    queries: statement.queryIndexes,
    text:
      statement.text.length > MAX_TEXT ? `${statement.text.slice(0, MAX_TEXT)}…` : statement.text,
    parameterCount: statement.values.length,
    ...(statement.operation !== undefined ? { operation: statement.operation } : {}),
    ...(statement.collection !== undefined ? { collection: statement.collection } : {}),
    moved: statement.queryIndexes.some(
      (index) => index > (laterMin[i] ?? Number.POSITIVE_INFINITY),
    ),
    why: why(statement),
  }))
  const flags = [
    `${String(plan.merged)} merged`,
    `${String(plan.deduplicated)} deduplicated`,
    plan.reordered ? 'reordered' : 'submission order',
  ]
  const lines = [
    `${strategy} plan: ${String(queryCount)} queries -> ${String(statements.length)} statements (${flags.join(', ')})`,
    ...statements.map(
      (s) =>
        `${String(s.position).padStart(3)}. [${s.kind}] queries ${ranges(s.queries)}${s.moved ? ' (moved ahead)' : ''}: ${s.why}\n       ${s.text}`,
    ),
    ...(plan.notes.length > 0 ? ['notes:', ...plan.notes.map((note) => `  - ${note}`)] : []),
  ]
  return {
    strategy,
    queryCount,
    statements,
    deduplicated: plan.deduplicated,
    merged: plan.merged,
    reordered: plan.reordered,
    notes: plan.notes,
    summary: lines.join('\n'),
  }
}

/**
 * The plan a batch of these queries would run with this strategy, explained, without running
 * it. The planner may look tables up in the catalog through `context.query` (a read of
 * pg_catalog; no query of the batch is executed). With a context that cannot query, nothing
 * merges or deduplicates and the notes say why.
 *
 * @example
 * const explanation = await explainPlan(
 *   [{ sql: 'INSERT INTO t (a) VALUES ($1)', params: [1] }, { sql: 'INSERT INTO t (a) VALUES ($1)', params: [2] }],
 *   { strategy: 'best_effort', query: helperQuery },
 * )
 * console.log(explanation.summary)
 */
export async function explainPlan(
  queries: readonly { readonly sql: string; readonly params?: readonly unknown[] }[],
  context: PlanningContext,
  planner: Planner = createOptimizingPlanner(),
): Promise<PlanExplanation> {
  await loadParser()
  const batch: BatchQuery[] = queries.map((query, index) => ({
    index,
    sql: query.sql,
    params: query.params ?? [],
    classification: classifyIfLoaded(query.sql),
  }))
  const plan = await planner.plan(batch, context)
  return describePlan(plan, context.strategy, batch.length)
}
