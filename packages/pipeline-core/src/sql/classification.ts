/** A table as written in the SQL: `schema` only when the SQL qualified it. */
export interface TableName {
  readonly schema?: string
  readonly name: string
}

/**
 * A single-row `INSERT INTO t [(cols)] VALUES (...)` whose row holds only parameters, constants
 * and DEFAULT: rows of several such queries can go into one multi-row statement.
 */
export interface InsertShape {
  readonly kind: 'insert'
  readonly table: TableName
  /** The explicit column list, or undefined when the SQL has none (all columns, in order). */
  readonly columns: readonly string[] | undefined
  /** For each item of the VALUES row: its parameter number when it is a bare `$n`, else null. */
  readonly rowParams: readonly (number | null)[]
  readonly returning: boolean
  /** Any `ON CONFLICT ...` clause. */
  readonly onConflict: boolean
  /** Set when the ON CONFLICT clause is one the upsert merge understands. */
  readonly conflict?: ConflictShape
}

/**
 * `ON CONFLICT (key) DO NOTHING` or `ON CONFLICT (key) DO UPDATE SET c = <expr> [WHERE <expr>]`
 * where the expressions use only columns (of the table or EXCLUDED), constants and operators:
 * no subquery or function call, whose result could depend on rows written earlier in a merged
 * statement.
 */
export interface ConflictShape {
  readonly keyColumn: string
  readonly action: 'nothing' | 'update'
  readonly setColumns: readonly string[]
}

/**
 * `SELECT ... FROM t WHERE key = $1 [AND param-free conditions]`, read-only, one parameter, no
 * ORDER BY / LIMIT / OFFSET / DISTINCT / set operation / CTE / locking.
 */
export interface PointReadShape {
  readonly kind: 'point_read'
  readonly table: TableName
  readonly keyColumn: string
}

/**
 * `UPDATE t SET c1 = $i, c2 = <constant>, c3 = c3 + $j, ... WHERE key = $n`, no FROM / RETURNING /
 * CTE. A set value is a bare parameter, a constant, or `column <op> $j` / `$j <op> column` with
 * op one of `+ - * ||` and the column one of the table's.
 */
export interface KeyedUpdateShape {
  readonly kind: 'keyed_update'
  readonly table: TableName
  readonly keyColumn: string
  readonly keyParam: number
  /** Columns set from a parameter (constants stay as written). */
  readonly assignments: readonly UpdateAssignment[]
}

/** A column set from a parameter: the bare value, or `operand <operator> $param`. */
export interface UpdateAssignment {
  readonly column: string
  readonly param: number
  /** Set for `column <op> $n` (either order): the other operand column and the operator. */
  readonly operation?: { readonly operand: string; readonly operator: string }
}

/** What merging may do with a statement. */
export type MergeShape = InsertShape | PointReadShape | KeyedUpdateShape

/** Why the parser rejected the text. */
export interface SyntaxErrorInfo {
  readonly message: string
  /** 1-based character position as PostgreSQL reports it, when known. */
  readonly position?: number
}

/** What the parser says about one SQL text. Immutable and cached by text. */
export interface Classification {
  readonly sql: string
  /**
   * The statement's shape: PostgreSQL's fingerprint (libpg-query, as pg_stat_statements-style
   * tools use it), equal for texts that differ only in constants, parameters, case or spacing.
   * For a text that does not parse, a hash of the text itself.
   */
  readonly fingerprint: string
  /** The text with its constants replaced by `$n` (the text itself when it does not parse). */
  readonly normalized: string
  /** Statements in the text (0 for an empty text or a syntax error). */
  readonly statementCount: number
  readonly syntaxError?: SyntaxErrorInfo
  /**
   * A plain SELECT / VALUES with no data-modifying CTE, no FOR UPDATE/SHARE, no SELECT INTO and
   * no call outside the side-effect-free allow-list. Only such statements may be deduplicated
   * or moved.
   */
  readonly readOnly: boolean
  /** Tables read, as written (`schema.name` or `name`), sorted, unique. */
  readonly reads: readonly string[]
  /** Tables written (INSERT/UPDATE/DELETE/MERGE targets, DDL objects), as written. */
  readonly writes: readonly string[]
  /**
   * True when the statement may change things beyond `writes`: a call of an unknown function,
   * DDL, SET, transaction control, any statement kind the classifier does not model.
   */
  readonly writesUnknown: boolean
  /**
   * True when the statement may change the catalog or name resolution (DDL, SET, transaction
   * control, a call of an unknown function): what the planner learned about tables before it
   * may be stale for the statements after it.
   */
  readonly mayChangeCatalog: boolean
  /** E.g. `SELECT`, `INSERT`, `CREATE TABLE`; for spans (`db.operation.name`). */
  readonly operation?: string
  /** The main table, as written; for spans (`db.collection.name`). */
  readonly collection?: string
  /**
   * False for statements that cannot run inside a transaction block or that control
   * transactions themselves (BEGIN/COMMIT/SAVEPOINT, VACUUM, CREATE INDEX CONCURRENTLY, ...).
   */
  readonly transactionSafe: boolean
  /** Highest `$n` in the text (0 when it has no parameters). */
  readonly paramCount: number
  /** Set when the statement has a shape the merger understands. */
  readonly shape?: MergeShape
  /**
   * Why a pipeline refuses this text before queuing it (session state on a shared connection,
   * COPY FROM STDIN...), when it does.
   */
  readonly refusal?: string
}

/** `schema.name`, or `name` when unqualified. */
export function tableNameText(table: TableName): string {
  return table.schema === undefined ? table.name : `${table.schema}.${table.name}`
}
