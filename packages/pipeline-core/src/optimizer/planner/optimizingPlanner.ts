import type { BatchQuery, Plan, PlannedStatement, Planner, PlanningContext } from '../../plan/plan'
import type { Classification, TableName } from '../../sql/classification'
import { maxInsertRows, mergedInsertStatement } from '../merge/insertMerge'
import { isArrayElementSafe } from '../merge/parameterValues'
import { keyedUpdateStatement } from '../merge/keyedUpdateMerge'
import { pointReadStatement } from '../merge/pointReadMerge'
import { upsertStatement } from '../merge/upsertMerge'
import type { TableInfo } from '../merge/tableCatalog'
import { lookUpTables } from '../merge/tableCatalog'
import { singleStatement } from '../../plan/singleStatement'
import { dedupedStatement } from './basicStatements'
import type { BatchUnit } from './batchUnits'
import { buildUnits } from './unitBuilder'

/** Tables the catalog must describe for this batch, or none when nothing could merge anyway. */
function tablesToLookUp(
  queries: readonly BatchQuery[],
  classifications: readonly (Classification | undefined)[],
  before: number,
): TableName[] {
  const seen = new Map<string, number>()
  const tables: TableName[] = []
  for (const query of queries.slice(0, before)) {
    const classification = classifications[query.index]
    if (!classification || classification.statementCount !== 1) continue
    const shape = classification.shape
    if (classification.readOnly || shape) seen.set(query.sql, (seen.get(query.sql) ?? 0) + 1)
    if (shape) tables.push(shape.table)
    if (classification.readOnly) {
      for (const name of classification.reads) {
        // `reads` holds display names; the shape's table (when any) carries the parts.
        const dot = name.indexOf('.')
        tables.push(dot < 0 ? { name } : { schema: name.slice(0, dot), name: name.slice(dot + 1) })
      }
    }
  }
  // One round trip to the catalog only pays when some text occurs twice (dedupe or merge).
  return [...seen.values()].some((count) => count > 1) ? tables : []
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = []
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size))
  return chunks
}

function statementsOf(unit: BatchUnit): PlannedStatement[] {
  switch (unit.kind) {
    case 'single':
      return [singleStatement(unit.query)]
    case 'read': {
      const [only] = unit.members
      if (unit.members.length === 1 && only)
        return [dedupedStatement(unit.first, only.queryIndexes)]
      if (unit.keyType === undefined)
        throw new Error('read unit with several members but no key type')
      return [pointReadStatement(unit.first, unit.classification, unit.keyType, unit.members)]
    }
    case 'insert': {
      // Values that cannot travel in arrays (Buffers, objects) keep the VALUES form, which is
      // bounded by the parameter limit.
      const unnestable =
        unit.unnestTypes !== undefined &&
        unit.members.every((member) => member.params.every(isArrayElementSafe))
      const size = unnestable ? unit.maxRows : maxInsertRows(unit.classification)
      const types = unnestable ? unit.unnestTypes : undefined
      return chunk(unit.members, size).map((members) =>
        mergedInsertStatement(unit.first, unit.classification, members, types),
      )
    }
    case 'upsert':
      return [upsertStatement(unit.first, unit.classification, unit.plan, unit.members)]
    case 'update':
      return [keyedUpdateStatement(unit.first, unit.classification, unit.types, unit.members)]
  }
}

/** Plan counters: deduplicated copies, merged queries, and whether execution order moved. */
function summarize(
  statements: readonly PlannedStatement[],
): Pick<Plan, 'deduplicated' | 'merged' | 'reordered'> {
  let deduplicated = 0
  let merged = 0
  let previous = -1
  let reordered = false
  for (const statement of statements) {
    if (statement.kind === 'deduplicated') deduplicated += statement.queryIndexes.length - 1
    if (statement.kind === 'merged_insert' || statement.kind === 'keyed_update')
      merged += statement.queryIndexes.length
    if (statement.kind === 'point_read') {
      const distinct = statement.mergedOperations ?? statement.queryIndexes.length
      merged += distinct
      deduplicated += statement.queryIndexes.length - distinct
    }
    for (const index of statement.queryIndexes) {
      if (index < previous) reordered = true
      previous = Math.max(previous, index)
    }
  }
  return { deduplicated, merged, reordered }
}

/**
 * The optimizing planner (`optimize: true`): from what PostgreSQL's parser said about every
 * query (its classification, made once when the query was accepted), looks the tables involved up in the catalog (one helper query, only when something could
 * merge), then deduplicates identical reads and merges consecutive single-row INSERTs, point
 * reads and keyed UPDATEs, never changing what a query sees or does. Statements carry
 * `split()` so a failing merged statement can be bisected to the guilty query.
 *
 * @example
 * const planner = createOptimizingPlanner()
 * const plan = await planner.plan(batchQueries, { strategy: 'best_effort', query: helperQuery })
 * plan.merged // queries folded into merged statements
 */
export function createOptimizingPlanner(): Planner {
  return {
    async plan(queries: readonly BatchQuery[], context: PlanningContext): Promise<Plan> {
      const classifications: (Classification | undefined)[] = []
      for (const query of queries) classifications[query.index] = query.classification
      const notes: string[] = []
      // After a statement that may change the catalog or name resolution, what the catalog
      // said is stale: the rest of the batch runs as written.
      const barrier = queries.find(
        (query) => classifications[query.index]?.mayChangeCatalog !== false,
      )
      const optimizeBefore = barrier?.index ?? Number.POSITIVE_INFINITY
      if (barrier) {
        notes.push(
          `queries from ${barrier.index} on run as written: query ${barrier.index} may change the catalog or name resolution (${classifications[barrier.index]?.operation ?? 'unparsed'})`,
        )
      }
      let tables: Map<string, TableInfo> | undefined
      const wanted = tablesToLookUp(queries, classifications, optimizeBefore)
      if (wanted.length > 0) {
        try {
          tables = await lookUpTables(context, wanted)
        } catch (error) {
          notes.push(
            `nothing merged or deduplicated: the catalog lookup failed (${error instanceof Error ? error.message : String(error)})`,
          )
        }
      }
      const built = buildUnits({
        queries,
        classifications,
        strategy: context.strategy,
        tables,
        optimizeBefore,
      })
      const statements = built.units.flatMap(statementsOf)
      return { statements, ...summarize(statements), notes: [...notes, ...built.notes] }
    },
  }
}
