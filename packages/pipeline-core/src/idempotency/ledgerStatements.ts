import { prepareValues } from '../execution/pipelinedConnection'
import type { BatchQuery, Plan, PlannedStatement } from '../plan/plan'
import { asArray, asObject, nodeOf, nodeType } from '../sql/ast'
import { TwoGenerationCache } from '../sql/twoGenerationCache'
import { parseLoaded } from '../sql/parser'
import type { LedgerEntry } from './ledgerTable'

/*
 * The ledger row of a keyed write goes into the write's own statement, as a data-modifying CTE
 * (`WITH sluice_ledger AS (INSERT INTO <ledger> ...) <the statement>`): PostgreSQL commits both
 * or neither whatever the strategy, and it costs no extra statement or round trip. A merged
 * statement takes one insert for all its queries' rows (unnest of two arrays); when one of them
 * ran before, the whole statement fails on the ledger's key and the executor's bisection of
 * failing merged statements narrows it to the query that ran (the others run as they would
 * have alone). Where the statement already has a WITH list, the ledger's CTE joins its head.
 */

/** The statement kinds a CTE can precede: the ones that may carry a ledger row. */
const CTE_STATEMENTS = new Set([
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'SelectStmt',
])

/** Where the ledger CTE goes in a text: a byte offset and whether a WITH list is already there. */
type CtePlace = { readonly at: number; readonly intoList: boolean } | { readonly refusal: string }

const places = new TwoGenerationCache<string, CtePlace>(2_000)

function ctePlace(sql: string): CtePlace {
  const cached = places.get(sql)
  if (cached) return cached
  const place = computePlace(sql)
  places.set(sql, place)
  return place
}

function computePlace(sql: string): CtePlace {
  const parsed = parseLoaded(sql)
  if ('error' in parsed) return { refusal: `it does not parse (${parsed.error.message})` }
  const stmts = asArray(parsed.tree.stmts)
  if (stmts.length !== 1) return { refusal: 'it is not exactly one statement' }
  const stmt = asObject(stmts[0])?.stmt
  const type = nodeType(stmt)
  if (type === undefined || !CTE_STATEMENTS.has(type))
    return { refusal: `${type ?? 'this statement'} cannot take a WITH clause` }
  const inner = nodeOf(stmt, type)
  if (inner?.intoClause !== undefined) return { refusal: 'SELECT INTO cannot take a WITH clause' }
  const firstCte = asArray(asObject(inner?.withClause)?.ctes)[0]
  if (firstCte === undefined) return { at: 0, intoList: false }
  const location = nodeOf(firstCte, 'CommonTableExpr')?.location
  if (typeof location !== 'number' || location < 0)
    return { refusal: 'the position of its WITH list is unknown' }
  return { at: location, intoList: true }
}

/**
 * Why a keyed write `sql` cannot carry a ledger row (CALL, DDL, utility statements, SELECT
 * INTO...), or undefined when it can. Call after the parser loaded.
 */
export function ledgerRefusal(sql: string): string | undefined {
  const place = ctePlace(sql)
  return 'refusal' in place ? place.refusal : undefined
}

/** `statement` with the ledger rows of `entries` in it. Throws when its text cannot take them. */
function withRows(statement: PlannedStatement, entries: readonly LedgerEntry[]): PlannedStatement {
  const place = ctePlace(statement.text)
  if ('refusal' in place)
    throw new Error(`a keyed write cannot carry its ledger row: ${place.refusal}`)
  const tables = [...new Set(entries.map((entry) => entry.table))]
  let next = statement.values.length + 1
  const values: unknown[] = [...statement.values]
  const ctes = tables.map((table, position) => {
    const mine = entries.filter((entry) => entry.table === table)
    values.push(
      ...prepareValues([mine.map((entry) => entry.key), mine.map((entry) => entry.index)]),
    )
    const keys = next
    next += 2
    return (
      `sluice_ledger_${String(position)} AS (INSERT INTO ${table} (key, query_index) ` +
      `SELECT * FROM unnest($${String(keys)}::text[], $${String(keys + 1)}::int[]))`
    )
  })
  const bytes = Buffer.from(statement.text, 'utf8')
  const before = bytes.subarray(0, place.at).toString('utf8')
  const after = bytes.subarray(place.at).toString('utf8')
  const text = place.intoList
    ? `${before}${ctes.join(', ')}, ${after}`
    : `WITH ${ctes.join(', ')} ${statement.text}`
  return {
    ...statement,
    text,
    values,
  }
}

/**
 * The plan with a ledger row in every statement that writes for a keyed query. Reads (what the
 * parser proves read-only) take none: a replay runs them again. Statements of unkeyed queries
 * are left exactly as they are.
 */
export function withLedgerRows(plan: Plan, queries: readonly BatchQuery[]): Plan {
  const keyed = (statement: PlannedStatement): PlannedStatement => {
    if (statement.readOnly === true) return statement
    const entries = statement.queryIndexes.flatMap((index) => queries[index]?.ledger ?? [])
    if (entries.length === 0) return statement
    const wrapped = withRows(statement, entries)
    // A failing merged statement is split in parts; each part carries its own queries' rows.
    return { ...wrapped, split: () => statement.split()?.map(keyed) }
  }
  return { ...plan, statements: plan.statements.map(keyed) }
}
