/*
 * Statements a pipeline refuses before queuing.
 * - Session state: connections are pooled and shared by every query (the engine takes queries
 *   from many applications), so a statement whose effect outlives its own transaction — SET,
 *   LISTEN, PREPARE, a cursor, a temporary table, transaction control — would change what later,
 *   unrelated queries on the same connection see. Transaction-scoped ones (SET LOCAL, SET
 *   TRANSACTION, SET CONSTRAINTS, set_config(…, true)) are allowed. A set_config inside a function
 *   or DO block cannot be seen from here.
 * - COPY FROM STDIN / TO STDOUT: they need a data stream a pipelined connection cannot give.
 */

type Node = Record<string, unknown>

const REFUSED: Record<string, string> = {
  DiscardStmt: 'DISCARD resets the shared session',
  ListenStmt: 'LISTEN subscribes the shared session',
  UnlistenStmt: 'UNLISTEN changes the shared session',
  PrepareStmt: 'PREPARE creates a statement in one pooled session; queries are prepared for you',
  ExecuteStmt: 'EXECUTE needs a statement PREPAREd in the same session',
  DeallocateStmt: 'DEALLOCATE changes the shared session',
  DeclareCursorStmt: 'a cursor lives in one session across round trips',
  ClosePortalStmt: 'CLOSE needs a cursor of the same session',
  FetchStmt: 'FETCH/MOVE need a cursor of the same session',
  LoadStmt: 'LOAD changes the shared session',
}

const ALLOWED_TRANSACTION_KINDS = new Set([
  'TRANS_STMT_COMMIT_PREPARED',
  'TRANS_STMT_ROLLBACK_PREPARED',
])

function isTemporary(relation: unknown): boolean {
  return (
    typeof relation === 'object' && relation !== null && (relation as Node).relpersistence === 't'
  )
}

function refusal(type: string, inner: Node): string | undefined {
  const fixed = REFUSED[type]
  if (fixed) return fixed
  switch (type) {
    case 'VariableSetStmt': {
      if (inner.is_local === true || inner.name === 'TRANSACTION') return undefined
      return 'SET/RESET (without LOCAL) would change the shared session for later queries; use SET LOCAL inside a transactional batch'
    }
    case 'TransactionStmt':
      if (ALLOWED_TRANSACTION_KINDS.has(String(inner.kind))) return undefined
      return "transaction control belongs to the pipeline: use strategy 'transactional' (and addGroup for queries that must commit together)"
    case 'CreateStmt':
      return isTemporary(inner.relation) && inner.oncommit !== 'ONCOMMIT_DROP'
        ? 'a temporary table lives in one pooled session; create it ON COMMIT DROP inside a transactional batch'
        : undefined
    case 'CreateTableAsStmt': {
      const into = inner.into as Node | undefined
      return isTemporary(into?.rel) && into?.onCommit !== 'ONCOMMIT_DROP'
        ? 'a temporary table lives in one pooled session; create it ON COMMIT DROP inside a transactional batch'
        : undefined
    }
    case 'CopyStmt':
      // COPY with a file name runs on the server; FROM STDIN / TO STDOUT need a data stream of
      // their own, which a pipelined connection cannot give.
      return inner.filename === undefined && inner.is_program !== true
        ? 'COPY FROM STDIN / TO STDOUT needs a data stream of its own; send rows as INSERTs (the optimizer merges them)'
        : undefined
    case 'ViewStmt':
      return isTemporary(inner.view) ? 'a temporary view lives in one pooled session' : undefined
    case 'CreateSeqStmt':
      return isTemporary(inner.sequence)
        ? 'a temporary sequence lives in one pooled session'
        : undefined
    default:
      return undefined
  }
}

const SET_CONFIG_REFUSAL =
  'set_config(…) with is_local other than a literal true would change the shared session for later queries; pass true inside a transactional batch'

/** `set_config` / `pg_catalog.set_config`, the function form of SET. */
function isSetConfig(call: Node): boolean {
  const names = Array.isArray(call.funcname) ? (call.funcname as Node[]) : []
  const parts = names.map((name) => (name.String as Node | undefined)?.sval)
  const last = parts[parts.length - 1]
  return last === 'set_config' && (parts.length === 1 || parts[0] === 'pg_catalog')
}

/** A literal `true`: only then is the setting transaction-local for certain. */
function isLiteralTrue(arg: Node | undefined): boolean {
  const constant = arg?.A_Const as Node | undefined
  const boolval = constant?.boolval as Node | undefined
  return boolval?.boolval === true
}

/** Finds a session-wide set_config call anywhere in the statement (a SELECT list, a CTE...). */
function sessionSetConfig(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(sessionSetConfig)
  if (typeof node !== 'object' || node === null) return false
  const call = (node as Node).FuncCall as Node | undefined
  if (call && isSetConfig(call)) {
    const args = Array.isArray(call.args) ? (call.args as Node[]) : []
    if (!isLiteralTrue(args[2])) return true
  }
  return Object.values(node).some(sessionSetConfig)
}

/**
 * Why this parsed statement (one entry of a parse tree's `stmts`) may not run in a pipeline, or
 * undefined when it may.
 */
export function statementRefusal(stmt: unknown): string | undefined {
  if (typeof stmt !== 'object' || stmt === null) return undefined
  const [type] = Object.keys(stmt)
  const inner = type === undefined ? undefined : ((stmt as Node)[type] as Node | undefined)
  const reason = type !== undefined && inner ? refusal(type, inner) : undefined
  return reason ?? (sessionSetConfig(stmt) ? SET_CONFIG_REFUSAL : undefined)
}
