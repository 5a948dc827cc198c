import pg from 'pg'
import type { QueryError } from '../types'
import type { SqlStatement, StatementReply } from './statementReply'

interface PgUtils {
  prepareValue: (value: unknown) => unknown
}
// pg's own value serializer (the one `bind` uses), run up front so a value that cannot be
// serialized fails before anything is written to the socket.
const { prepareValue } = (pg as unknown as { utils: PgUtils }).utils

/** Throws with a message naming the parameter when pg cannot serialize it. */
export function prepareValues(values: readonly unknown[]): unknown[] {
  return values.map((value, index) => {
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw new Error(`params[${index}] is a ${typeof value}, which PostgreSQL cannot receive`)
    }
    try {
      const prepared = prepareValue(value)
      // pg hands Buffers (and views of typed arrays) back as they are: copy, so the bytes sent
      // are the bytes given when the value was prepared.
      return Buffer.isBuffer(prepared) ? Buffer.from(prepared) : prepared
    } catch (error) {
      throw new Error(
        `params[${index}] cannot be sent to PostgreSQL: ${(error as Error).message}`,
        { cause: error },
      )
    }
  })
}

/** PostgreSQL's own answer (SQLSTATE, message, detail) when `error` is an ErrorResponse; else undefined. */
export function toQueryError(error: unknown): { error: QueryError; fatal: boolean } | undefined {
  if (error instanceof pg.DatabaseError) {
    const queryError: QueryError = { message: error.message }
    if (error.code !== undefined) queryError.code = error.code
    if (error.detail !== undefined) queryError.detail = error.detail
    const fatal = error.severity === 'FATAL' || error.severity === 'PANIC'
    return { error: queryError, fatal }
  }
  return undefined
}

/** The server a connection talks to, for spans. */
export interface ServerInfo {
  readonly database?: string
  readonly host?: string
  readonly port?: number
}

/**
 * A pooled pg client switched to pipeline mode while we hold it: every statement of a round trip
 * is written at once (Parse/Bind/Describe/Execute/Sync each) and the answers are read back in
 * order, so N statements cost about one network round trip instead of N.
 *
 * Each statement is sent with `queryMode: 'extended'`, so PostgreSQL itself refuses a string that
 * holds several statements, and each has its own Sync: without an explicit BEGIN every statement
 * commits on its own.
 */
export class PipelinedConnection {
  private broken = false
  private readonly previousPipelineFlag: boolean
  private readonly onError = (): void => {
    // A connection that errors while we hold it is discarded on release; the error reaches each
    // pending statement through its own callback.
    this.broken = true
  }

  constructor(
    private readonly client: pg.PoolClient,
    private readonly releaseClient: (destroy: boolean) => void,
  ) {
    const flags = client as unknown as { pipeline: boolean }
    this.previousPipelineFlag = flags.pipeline
    flags.pipeline = true
    client.on('error', this.onError)
  }

  /** Whether the connection broke; a broken one answers every statement `lost` / not executed. */
  get isBroken(): boolean {
    return this.broken
  }

  get server(): ServerInfo {
    const client = this.client as unknown as { database?: string; host?: string; port?: number }
    return { database: client.database, host: client.host, port: client.port }
  }

  /** Sends every statement in one pipelined round trip and returns each one's reply, in order. */
  async run(statements: readonly SqlStatement[]): Promise<StatementReply[]> {
    if (this.broken) {
      return statements.map(() => ({
        kind: 'lost',
        executed: 'no',
        error: {
          message: 'the connection to PostgreSQL was lost before this statement was sent',
          code: 'CONNECTION_LOST',
        },
      }))
    }
    // Serialize everything first. Values were prepared at intake, so this should not fail; if a
    // statement's values still will not convert, that statement alone is answered with an error,
    // raised by the server in its place so a transaction around it aborts as for any failure.
    const sendable = statements.map(sendableValues)
    const pending = sendable.map((statement) =>
      this.client.query({
        text: statement.text,
        values: statement.values,
        queryMode: 'extended',
        ...(statement.name !== undefined ? { name: statement.name } : {}),
      } as pg.QueryConfig),
    )
    const settled = await Promise.allSettled(pending)
    let fatalAt = -1
    const replies: StatementReply[] = settled.map((outcome, index) => {
      if (outcome.status === 'fulfilled') {
        const result = outcome.value
        return { kind: 'ok', rows: result.rows, rowCount: result.rowCount, command: result.command }
      }
      const answered = toQueryError(outcome.reason)
      if (answered) {
        if (answered.fatal) {
          this.broken = true
          if (fatalAt < 0) fatalAt = index
        }
        return { kind: 'error', error: answered.error, fatal: answered.fatal }
      }
      this.broken = true
      if (neverSent(outcome.reason)) {
        return {
          kind: 'lost',
          executed: 'no',
          error: { message: errorMessage(outcome.reason), code: 'CONNECTION_LOST' },
        }
      }
      return { kind: 'lost', executed: 'unknown', error: lostError(outcome.reason) }
    })
    // The server answers in order and ends the session right after a FATAL error: whatever was
    // queued behind that statement never ran.
    return replies.map((reply, index) =>
      reply.kind === 'lost' && fatalAt >= 0 && index > fatalAt
        ? {
            kind: 'lost',
            executed: 'no',
            error: { message: reply.error.message, code: 'CONNECTION_LOST' },
          }
        : reply,
    )
  }

  /** Returns the client to its pool; a broken one, or one left inside a transaction, is destroyed. */
  release(): void {
    const client = this.client as unknown as {
      pipeline: boolean
      getTransactionStatus?: () => string | null
    }
    client.pipeline = this.previousPipelineFlag
    this.client.removeListener('error', this.onError)
    const status = client.getTransactionStatus?.()
    const destroy = this.broken || (status !== undefined && status !== null && status !== 'I')
    this.releaseClient(destroy)
  }
}

/** SQLSTATE invalid_parameter_value: what a statement whose values cannot be sent fails with. */
export const UNSENDABLE_PARAMETER = '22023'

function sendableValues(statement: SqlStatement): {
  text: string
  values: unknown[]
  name?: string
} {
  try {
    return {
      text: statement.text,
      // Values prepared at intake (and merged arrays built as literals) are strings and nulls
      // already: sent as they are, with no copy.
      values: allPrepared(statement.values)
        ? (statement.values as unknown[])
        : prepareValues(statement.values),
      ...(statement.preparedName !== undefined ? { name: statement.preparedName } : {}),
    }
  } catch (error) {
    // No `$` (the body's quote) and doubled single quotes: the message is a plain literal.
    const message = errorMessage(error).replace(/\$/g, '').replace(/'/g, "''")
    return {
      text: `DO $sluice$ BEGIN RAISE EXCEPTION USING ERRCODE = '${UNSENDABLE_PARAMETER}', MESSAGE = '${message}'; END $sluice$`,
      values: [],
    }
  }
}

function allPrepared(values: readonly unknown[]): boolean {
  for (const value of values) if (value !== null && typeof value !== 'string') return false
  return true
}

function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason)
}

// pg refuses to write to a client that already broke or is closing: nothing reached the server.
function neverSent(reason: unknown): boolean {
  const message = errorMessage(reason)
  return message.includes('is not queryable')
}

function lostError(reason: unknown): QueryError {
  const message = errorMessage(reason)
  return {
    message: `the connection to PostgreSQL was lost before this statement's answer arrived (${message}); it may or may not have run`,
    code: 'OUTCOME_UNKNOWN',
    outcomeUnknown: true,
  }
}
