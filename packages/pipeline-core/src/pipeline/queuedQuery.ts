import type { SpanContext } from '@opentelemetry/api'
import type { QueryResult } from '../types'

/** A query accepted by the pipeline and waiting for (or in) a batch. */
export interface QueuedQuery {
  readonly id: string
  /** Submission order across the pipeline. */
  readonly seq: number
  readonly sql: string
  readonly params: readonly unknown[]
  readonly callbackId?: string
  /** Shared by the queries of one `addGroup` call, which are never split across batches. */
  readonly groupId?: string
  readonly enqueuedAt: number
  readonly callerContext?: SpanContext
  /** Resolves the query's result promise (called exactly once by the pipeline). */
  readonly resolve: (result: QueryResult) => void
}
