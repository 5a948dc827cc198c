import { asArray, asObject, nodeOf, nodeType, stringValue, walk } from './ast'
import type { TableName } from './classification'
import { tableNameText } from './classification'
import { isCatalogNeutralFunction, isSideEffectFreeFunction } from './functionAllowList'
import { collectCteNames, collectRangeVars, dropObjectNames, rangeVarTable } from './tables'

/** What one parsed statement reads, writes and may run inside. */
export interface StatementEffects {
  readonly readOnly: boolean
  readonly reads: readonly string[]
  readonly writes: readonly string[]
  readonly writesUnknown: boolean
  readonly mayChangeCatalog: boolean
  readonly operation: string
  readonly collection?: string
  readonly transactionSafe: boolean
}

const dmlTypes = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'])

const operationNames: Readonly<Record<string, string>> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  CopyStmt: 'COPY',
  TruncateStmt: 'TRUNCATE',
  CreateStmt: 'CREATE TABLE',
  CreateTableAsStmt: 'CREATE TABLE AS',
  IndexStmt: 'CREATE INDEX',
  DropStmt: 'DROP',
  AlterTableStmt: 'ALTER TABLE',
  ViewStmt: 'CREATE VIEW',
  VacuumStmt: 'VACUUM',
  ExplainStmt: 'EXPLAIN',
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  CallStmt: 'CALL',
  DoStmt: 'DO',
  LockStmt: 'LOCK',
  NotifyStmt: 'NOTIFY',
  ListenStmt: 'LISTEN',
}

const transactionKinds: Readonly<Record<string, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'BEGIN',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
}

/** `CreateSeqStmt` -> `CREATE SEQ`: a readable name for statement kinds without a mapping. */
function genericOperation(type: string): string {
  const words: string[] = []
  let word = ''
  for (const char of type.endsWith('Stmt') ? type.slice(0, -4) : type) {
    if (char >= 'A' && char <= 'Z' && word !== '') {
      words.push(word)
      word = ''
    }
    word += char
  }
  if (word !== '') words.push(word)
  return words.join(' ').toUpperCase()
}

function operationOf(type: string, inner: Record<string, unknown>): string {
  if (type === 'TransactionStmt') return transactionKinds[String(inner.kind)] ?? 'TRANSACTION'
  if (type === 'VacuumStmt') return inner.is_vacuumcmd === true ? 'VACUUM' : 'ANALYZE'
  return operationNames[type] ?? genericOperation(type)
}

/**
 * Statements that must not be put inside a transaction block shared with other queries: they
 * either refuse to run in one (VACUUM, CONCURRENTLY, CREATE DATABASE, ...), control transactions
 * themselves, or behave differently inside one (LOCK fails outside a block; SET persists or is
 * rolled back with the block; SET LOCAL / SET TRANSACTION change the rest of the block).
 */
function isTransactionSafe(type: string, inner: Record<string, unknown>): boolean {
  switch (type) {
    case 'VacuumStmt':
      // ANALYZE alone may run in a transaction block; VACUUM may not.
      return inner.is_vacuumcmd !== true
    case 'TransactionStmt':
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
    case 'CreateSubscriptionStmt':
    case 'AlterSubscriptionStmt':
    case 'DropSubscriptionStmt':
    case 'ReindexStmt':
    case 'DiscardStmt':
    case 'LockStmt':
    case 'VariableSetStmt':
    case 'ConstraintsSetStmt':
      return false
    case 'IndexStmt':
    case 'DropStmt':
      return inner.concurrent !== true
    case 'ClusterStmt':
      return inner.relation !== undefined
    default:
      return true
  }
}

function functionName(funcCall: Record<string, unknown>): string[] {
  return asArray(funcCall.funcname).map((part) => stringValue(part) ?? '')
}

/**
 * Whether the statement tree (a SELECT, with its subqueries and CTEs) only reads: no
 * data-modifying CTE, no locking clause, no SELECT INTO, only allow-listed function calls.
 */
function selectIsReadOnly(select: unknown): boolean {
  let readOnly = true
  walk(select, (type, inner) => {
    // TABLESAMPLE picks different rows each run, like random(): copies must not share a result.
    if (
      dmlTypes.has(type) ||
      type === 'LockingClause' ||
      type === 'IntoClause' ||
      type === 'RangeTableSample'
    )
      readOnly = false
    else if (type === 'SelectStmt' && inner.intoClause !== undefined) readOnly = false
    else if (type === 'FuncCall' && !isSideEffectFreeFunction(functionName(inner))) readOnly = false
    return readOnly
  })
  return readOnly
}

/** Whether any function call under `root` is outside the allow-list (it may write anything). */
function callsUnknownFunction(root: unknown): boolean {
  let unknown = false
  walk(root, (type, inner) => {
    if (type === 'FuncCall' && !isSideEffectFreeFunction(functionName(inner))) unknown = true
    return !unknown
  })
  return unknown
}

/** The leftmost table of a FROM item (`a JOIN b` -> a). */
function firstFromTable(item: unknown): TableName | undefined {
  const join = nodeOf(item, 'JoinExpr')
  if (join) return firstFromTable(join.larg)
  return rangeVarTable(nodeOf(item, 'RangeVar'))
}

/** Whether any function call under `root` might change the catalog (an unknown function). */
function mayCallCatalogChanger(root: unknown): boolean {
  let found = false
  walk(root, (type, inner) => {
    if (type === 'FuncCall' && !isCatalogNeutralFunction(functionName(inner))) found = true
    return !found
  })
  return found
}

function sortedUnique(tables: readonly TableName[]): string[] {
  return [...new Set(tables.map(tableNameText))].sort()
}

/**
 * Classifies one parsed statement (`RawStmt.stmt`): what it reads and writes, whether it is
 * read-only, and whether it may share a transaction.
 */
export function statementEffects(stmt: unknown): StatementEffects {
  const type = nodeType(stmt) ?? 'Unknown'
  const inner = nodeOf(stmt, type) ?? {}
  const cteNames = collectCteNames(stmt)
  const isTable = (table: TableName): boolean =>
    table.schema !== undefined || !cteNames.has(table.name)
  const operation = operationOf(type, inner)
  const transactionSafe = isTransactionSafe(type, inner)

  if (type === 'SelectStmt' || dmlTypes.has(type)) {
    // Targets of every INSERT/UPDATE/DELETE/MERGE in the tree (top level or inside CTEs).
    const written: TableName[] = []
    const readAndWritten: TableName[] = []
    walk(stmt, (nodeTypeName, node) => {
      if (dmlTypes.has(nodeTypeName)) {
        const target = rangeVarTable(node.relation)
        if (target) {
          written.push(target)
          if (nodeTypeName !== 'InsertStmt') readAndWritten.push(target)
        }
      }
      return true
    })
    const writtenKeys = new Set(written.map(tableNameText))
    const allTables = collectRangeVars(stmt).filter(isTable)
    // A target counts as read only where the statement reads it (UPDATE/DELETE/MERGE).
    const reads = allTables
      .filter((table) => !writtenKeys.has(tableNameText(table)))
      .concat(readAndWritten)
    const readOnly = type === 'SelectStmt' && selectIsReadOnly(stmt)
    const mainTable = dmlTypes.has(type)
      ? rangeVarTable(inner.relation)
      : firstFromTable(asArray(inner.fromClause)[0])
    return {
      readOnly,
      reads: sortedUnique(reads),
      writes: sortedUnique(written),
      // SELECT INTO creates a table; unknown functions may write anything.
      writesUnknown:
        !readOnly && (callsUnknownFunction(stmt) || asObject(inner.intoClause) !== undefined),
      mayChangeCatalog: asObject(inner.intoClause) !== undefined || mayCallCatalogChanger(stmt),
      operation,
      ...(mainTable ? { collection: tableNameText(mainTable) } : {}),
      transactionSafe,
    }
  }

  // Everything else (DDL, COPY, SET, CALL, DO, transaction control, ...): may change anything.
  const tables = collectRangeVars(stmt).filter(isTable)
  const named = type === 'DropStmt' ? dropObjectNames(inner) : tables
  const copyReads = type === 'CopyStmt' && inner.is_from !== true
  const first = named[0]
  return {
    readOnly: false,
    reads: copyReads ? sortedUnique(tables) : [],
    writes: copyReads ? [] : sortedUnique(named),
    writesUnknown: !copyReads || callsUnknownFunction(stmt),
    mayChangeCatalog: !copyReads || mayCallCatalogChanger(stmt),
    operation,
    ...(first ? { collection: tableNameText(first) } : {}),
    transactionSafe,
  }
}
