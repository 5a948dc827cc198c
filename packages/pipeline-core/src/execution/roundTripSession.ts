import type { PlannedStatement } from '../plan/plan'
import type { QueryError } from '../types'
import type { BatchTrace, StatementTrace } from '../tracing/instrumentation'
import type { ConnectionSource } from './connectionSource'
import { toQueryError } from './pipelinedConnection'
import type { PipelinedConnection } from './pipelinedConnection'
import type { SqlStatement, StatementReply } from './statementReply'

/** Ids of the span that ran a statement, copied onto its queries' results. */
export interface TraceIds {
  traceId?: string
  spanId?: string
}

/** One entry of a round trip: a planned statement, or BEGIN / COMMIT / ROLLBACK around them. */
export type RoundTripEntry =
  | { readonly planned: PlannedStatement }
  | {
      readonly control: 'BEGIN' | 'COMMIT' | 'ROLLBACK'
      /** The text sent, when not the bare keyword (`BEGIN ISOLATION LEVEL SERIALIZABLE`). */
      readonly text?: string
    }

/** A reply with the trace of the span that covered it. */
export interface TracedReply {
  readonly reply: StatementReply
  readonly trace: TraceIds
}

/**
 * A strategy's view of "a connection": it sends round trips on one pipelined connection, takes a
 * new one after a loss, traces every planned statement it sends, and turns a failure to connect
 * into `lost` / not-executed replies (which the retry policy treats as transient).
 */
export class RoundTripSession {
  private connection: PipelinedConnection | undefined

  constructor(
    private readonly source: ConnectionSource,
    private readonly trace: BatchTrace,
  ) {}

  async run(entries: readonly RoundTripEntry[]): Promise<TracedReply[]> {
    let connection: PipelinedConnection
    try {
      connection = await this.connect()
    } catch (error) {
      const notConnected = connectError(error)
      return entries.map(() => ({
        reply: { kind: 'lost', executed: 'no', error: notConnected },
        trace: {},
      }))
    }
    const server = connection.server
    const spans: (StatementTrace | undefined)[] = entries.map((entry) =>
      'planned' in entry
        ? this.trace.startStatement({
            text: entry.planned.text,
            operation: entry.planned.operation,
            collection: entry.planned.collection,
            batchSize: batchSizeOf(entry.planned),
            namespace: server.database,
            serverAddress: server.host,
            serverPort: server.port,
          })
        : undefined,
    )
    const statements: SqlStatement[] = entries.map((entry) =>
      'planned' in entry
        ? { text: entry.planned.text, values: entry.planned.values }
        : { text: entry.text ?? entry.control, values: [] },
    )
    let replies: StatementReply[]
    try {
      replies = await connection.run(statements)
    } catch (error) {
      for (const span of spans)
        span?.end({ message: error instanceof Error ? error.message : String(error) })
      throw error
    } finally {
      if (connection.isBroken) this.close()
    }
    return replies.map((reply, index) => {
      const span = spans[index]
      if (span)
        span.end(
          reply.kind === 'ok'
            ? undefined
            : { message: reply.error.message, code: reply.error.code },
        )
      return { reply, trace: span ? { traceId: span.traceId, spanId: span.spanId } : {} }
    })
  }

  /** Releases the connection (a new one is taken on the next run). */
  close(): void {
    this.connection?.release()
    this.connection = undefined
  }

  private async connect(): Promise<PipelinedConnection> {
    this.connection ??= await this.source.acquire()
    return this.connection
  }
}

/**
 * Why a connect failed. When the server answered the connect with an error (53300 too many
 * clients, 57P03 cannot connect now, 28P01...), its SQLSTATE, message and detail are kept, so
 * callers see the real cause and the retry policy judges it; otherwise (no server, a timeout)
 * it is CONNECTION_LOST. Either way nothing ran.
 */
function connectError(error: unknown): QueryError {
  const answered = toQueryError(error)?.error
  const cause = answered ?? {
    message: error instanceof Error ? error.message : String(error),
    code: 'CONNECTION_LOST',
  }
  return { ...cause, message: `could not connect to PostgreSQL: ${cause.message}` }
}

/** `db.operation.batch.size`: only a merged statement of two or more operations is a batch. */
function batchSizeOf(planned: PlannedStatement): number | undefined {
  const operations = planned.mergedOperations
  return operations !== undefined && operations > 1 ? operations : undefined
}
