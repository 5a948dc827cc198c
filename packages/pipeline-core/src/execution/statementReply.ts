import type { QueryError, Row } from '../types'

/** A statement to send as it is: parameterized text and its values. */
export interface SqlStatement {
  readonly text: string
  readonly values: readonly unknown[]
  /**
   * A name to prepare the statement under, once per connection, so PostgreSQL keeps its plan:
   * for Sluice's own helper queries, whose text never changes. Never set for users' statements.
   */
  readonly preparedName?: string
}

/**
 * What came back for one statement of a round trip:
 * - `ok`: PostgreSQL answered with a result (`command` is its tag, e.g. `COMMIT` or `ROLLBACK`);
 * - `error`: PostgreSQL answered with an error (`fatal` when the server ended the session);
 * - `lost`: no answer. `executed: 'no'` when it provably never ran (the server ended the session
 *   before reaching it, or it was never sent); `'unknown'` when it may have run.
 */
export type StatementReply =
  | {
      readonly kind: 'ok'
      readonly rows: Row[]
      readonly rowCount: number | null
      readonly command: string
    }
  | { readonly kind: 'error'; readonly error: QueryError; readonly fatal: boolean }
  | { readonly kind: 'lost'; readonly executed: 'no' | 'unknown'; readonly error: QueryError }

/** Statements that end with an error when the transaction they are in was already aborted. */
export const IN_FAILED_TRANSACTION = '25P02'
