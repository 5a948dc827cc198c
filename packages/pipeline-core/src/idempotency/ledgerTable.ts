import type { QueryError } from '../types'

/**
 * Ledger rows for a call's keyed writes (`addQueries(queries, { ledger })`): each write runs in
 * the same statement as an insert of `(key, index)` into `<schema>.ledger` in the target
 * database, so the database itself commits both or neither, and a second run of the same
 * `(key, index)` fails on the ledger's primary key instead of applying twice.
 *
 * @example
 * await pipeline.addQueries(queries, { ledger: { schema: 'sluice', key: 'orders/7f3a' } })
 */
export interface IdempotencyLedger {
  /** The schema of the ledger table (created with `ledgerTableStatements`). */
  readonly schema: string
  /** Names the request; with `indexes`, names each of its queries. */
  readonly key: string
  /** The ledger index of each query of the call, in order. Default: its position in the call. */
  readonly indexes?: readonly number[]
}

/** What one query carries from its call's `IdempotencyLedger`. */
export interface LedgerEntry {
  /** The ledger table, quoted for SQL. */
  readonly table: string
  readonly key: string
  readonly index: number
}

/** The primary key's name: a unique violation naming it means "this query already ran". */
const LEDGER_PRIMARY_KEY = 'sluice_idempotency_ledger_pkey'

/** `"schema".ledger`, quoted. */
export function ledgerTableName(schema: string): string {
  return `"${schema.replaceAll('"', '""')}".ledger`
}

/**
 * The statements creating the ledger table (idempotent; run them in one transaction, after
 * `pg_advisory_xact_lock` if several processes may race).
 *
 * @example
 * for (const sql of ledgerTableStatements('sluice')) await client.query(sql)
 */
export function ledgerTableStatements(schema: string): string[] {
  const quoted = `"${schema.replaceAll('"', '""')}"`
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoted}`,
    `CREATE TABLE IF NOT EXISTS ${ledgerTableName(schema)} (
       key text NOT NULL,
       query_index int NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now(),
       CONSTRAINT ${LEDGER_PRIMARY_KEY} PRIMARY KEY (key, query_index)
     )`,
    `CREATE INDEX IF NOT EXISTS ledger_applied_at ON ${ledgerTableName(schema)} (applied_at)`,
  ]
}

/**
 * Whether a query failed because its ledger row exists: it (or a merged statement holding it)
 * committed before, so it must not run again.
 *
 * @example
 * if (!result.success && result.error && isLedgerConflict(result.error)) console.log('already applied')
 */
export function isLedgerConflict(error: QueryError): boolean {
  return error.code === '23505' && error.message.includes(`"${LEDGER_PRIMARY_KEY}"`)
}
