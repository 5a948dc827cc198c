/*
 * The durable log async ingest acknowledges from (`Prefer: respond-async`). Two implementations,
 * one contract test suite: PostgreSQL (the engine database, the default) and NATS JetStream
 * (`SLUICE_NATS_URL`). The log only keeps requests until their outcome is recorded; states and
 * results of requests live in the engine database, written by the consumer.
 */

/** A request accepted for async ingest, as the log stores it. */
export interface IngestRequest {
  readonly pipeline: string
  /** The request's idempotency key (the caller's, else generated): the log keeps one per pipeline. */
  readonly key: string
  /** Hash of the request body's canonical JSON, so a replay can tell "same body" from "other body". */
  readonly bodyHash: string
  /** The accepted request body (the ingest API's validated JSON). */
  readonly body: unknown
}

/** What `append` answers once the request is durably stored. */
export interface AppendedRequest {
  readonly requestId: string
  readonly acceptedAt: Date
  /** The log held this (pipeline, key) already: `requestId` is the first request's. */
  readonly duplicate: boolean
}

/** A request the log delivers to a consumer. */
export interface LoggedRequest extends IngestRequest {
  readonly requestId: string
  readonly acceptedAt: Date
  /** 1 on first delivery; more when an engine died (or its lease ran out) while running it. */
  readonly deliveries: number
}

/** How much a pipeline has waiting in the log. */
export interface IngestLogDepth {
  readonly queued: number
  readonly oldestQueuedAt?: Date
}

/** A running consumer; `stop` waits for the requests it is handling. */
export interface IngestConsumer {
  stop(): Promise<void>
}

/** The durable ingest log (see the module comment). */
export interface IngestLog {
  readonly kind: 'postgres' | 'nats'
  /**
   * Stores the request durably (replicated where the log replicates) before resolving. Over the
   * configured depth it rejects with an `EngineError` coded `INGEST_LOG_FULL`, storing nothing.
   */
  append(request: IngestRequest): Promise<AppendedRequest>
  /**
   * Delivers requests to `handle`, at most `concurrency` at once. A request leaves the log only
   * after `handle` resolved (its every query's outcome recorded); if `handle` rejects or the
   * engine dies, the request is delivered again (to this or another engine) after its lease.
   */
  consume(
    handle: (request: LoggedRequest) => Promise<void>,
    options: { readonly concurrency: number },
  ): IngestConsumer
  /** The request while the log still holds it (queued or being handled), else undefined. */
  find(requestId: string): Promise<LoggedRequest | undefined>
  /** Queued requests per pipeline. */
  depth(): Promise<ReadonlyMap<string, IngestLogDepth>>
  close(): Promise<void>
}
