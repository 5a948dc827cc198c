import type { PlanningContext } from '../../plan/plan'
import type { TableName } from '../classifier/classification'
import { tableNameText } from '../classifier/classification'
import { quoteIdentifier } from '../sqlText/tokenText'

/** What merging must know about a column. */
export interface ColumnInfo {
  readonly name: string
  /** The base type (domains resolved one level), without type modifier, e.g. `integer`. */
  readonly baseType: string
  /** pg_type.typname of the base type, e.g. `int4`, `text`, `uuid`. */
  readonly baseTypeName: string
  /** pg_type.typcategory of the base type: `N` numeric, `S` string, ... */
  readonly category: string
  /** The base type is itself an array, a domain over a domain, or has no array type. */
  readonly unsuitableForArrays: boolean
  readonly generated: boolean
  /** Text comparison under this column's collation is byte-wise (or the type has none). */
  readonly deterministicCollation: boolean
  /** Part of a unique or exclusion index. */
  readonly uniqueIndexed: boolean
}

/** What merging must know about a table, as the database resolves its name right now. */
export interface TableInfo {
  /** pg_class.relkind: `r` table, `p` partitioned, `v` view, `m` materialized view, ... */
  readonly relkind: string
  readonly hasRules: boolean
  /** Any trigger that is not an internal one (foreign-key triggers are internal). */
  readonly hasUserTriggers: boolean
  /** A unique/exclusion index on expressions or with a predicate (columns not tracked). */
  readonly hasExpressionUniqueIndex: boolean
  readonly columns: ReadonlyMap<string, ColumnInfo>
}

const catalogQuery = `
SELECT r.name AS requested, c.relkind::text AS relkind, c.relhasrules AS has_rules,
  EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS has_user_triggers,
  EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisunique OR i.indisexclusion)
          AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)) AS has_expression_unique,
  COALESCE((
    SELECT json_agg(json_build_object(
      'name', a.attname,
      'baseType', format_type(bt.oid, NULL),
      'baseTypeName', bt.typname,
      'category', bt.typcategory,
      'unsuitableForArrays', bt.typtype = 'd' OR bt.typcategory = 'A' OR bt.typarray = 0,
      'generated', a.attgenerated <> '',
      'deterministicCollation', COALESCE(co.collisdeterministic, true),
      'uniqueIndexed', EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid
                               AND (i.indisunique OR i.indisexclusion) AND a.attnum = ANY (i.indkey))))
    FROM pg_attribute a
    JOIN pg_type ty ON ty.oid = a.atttypid
    JOIN pg_type bt ON bt.oid = CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS columns
FROM unnest($1::text[]) AS r(name)
JOIN pg_class c ON c.oid = to_regclass(r.name)`

function qualifiedName(table: TableName): string {
  return table.schema === undefined ? quoteIdentifier(table.name) : `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`
}

function isColumnInfo(value: unknown): value is ColumnInfo {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
}

/**
 * Looks tables up in the catalog in one helper query, resolving unqualified names with the
 * helper connection's search_path. Tables that do not exist are absent from the answer (their
 * statements then run unmerged and fail on their own). Not cached across plans: DDL between
 * batches must be seen.
 *
 * @example
 * const info = await lookUpTables(context, [{ name: 'items' }])
 * info.get('items')?.hasUserTriggers
 */
export async function lookUpTables(context: PlanningContext, tables: readonly TableName[]): Promise<Map<string, TableInfo>> {
  const byKey = new Map<string, TableName>()
  for (const table of tables) byKey.set(qualifiedName(table), table)
  const found = new Map<string, TableInfo>()
  if (byKey.size === 0) return found
  const outcome = await context.query(catalogQuery, [[...byKey.keys()]])
  for (const row of outcome.rows) {
    const table = byKey.get(String(row.requested))
    if (!table) continue
    const rawColumns: unknown = typeof row.columns === 'string' ? JSON.parse(row.columns) : row.columns
    const columns = new Map<string, ColumnInfo>()
    if (Array.isArray(rawColumns)) for (const column of rawColumns) if (isColumnInfo(column)) columns.set(column.name, column)
    found.set(tableNameText(table), {
      relkind: String(row.relkind),
      hasRules: row.has_rules === true,
      hasUserTriggers: row.has_user_triggers === true,
      hasExpressionUniqueIndex: row.has_expression_unique === true,
      columns,
    })
  }
  return found
}

/** A plain table whose writes have no rules or user triggers: a merged write does exactly what its rows would. */
export function isPlainWriteTarget(info: TableInfo | undefined): info is TableInfo {
  return info !== undefined && info.relkind === 'r' && !info.hasRules && !info.hasUserTriggers
}

/** A table (not a view or foreign table, which may run functions or remote calls) for merged or deduplicated reads. */
export function isPlainReadSource(info: TableInfo | undefined): info is TableInfo {
  return info !== undefined && ['r', 'p', 'm'].includes(info.relkind)
}
