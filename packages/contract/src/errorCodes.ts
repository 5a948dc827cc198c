/**
 * What went wrong in pipeline-core, as a stable code callers can switch on.
 * Thrown (`PipelineError`) when a call is refused:
 * - `INVALID_QUERY`: sql/params/options of a query are malformed (checked before queuing).
 * - `INVALID_CONFIG`: a pipeline setting is out of range or unknown; the message names it.
 * - `GROUP_TOO_LARGE`: a group has more queries than `batchSize`.
 * - `TOO_MANY_PARAMETERS`: more than 65535 bind parameters in one query.
 * - `TOO_MANY_QUERIES`: more queries in one call than the queue can ever hold (`maxQueueSize`).
 * - `PIPELINE_PAUSED`: the pipeline is paused: it takes no new queries until `resume()`.
 * - `PIPELINE_HALTED`: a `sequential` pipeline stopped at a failure; call `resume()`.
 * - `PIPELINE_CLOSED`: `close()` was called.
 * - `QUEUE_FULL`: the queue has no room for all the queries and the caller asked not to wait.
 * A query's own result carries (in `error.code`) PostgreSQL's SQLSTATE or one of:
 * - `CONNECTION_LOST`: the connection broke, or a connect got no answer; a connect the server
 *   refused keeps the server's SQLSTATE (53300, 57P03...) instead.
 * - `OUTCOME_UNKNOWN`: a COMMIT was sent but its answer never came back.
 * - `SKIPPED`: not run because an earlier query of a `sequential` pipeline failed.
 * - `ROLLED_BACK`: undone because another query of its transaction failed.
 * - `INTERNAL`: the executor itself failed; the query's outcome is reported, never dropped.
 * - `ABANDONED`: not run: the pipeline was closed with `close({ abandon: true })` (an operator
 *   gave up on the drain) while the query still waited in the queue.
 * - `TARGET_UNAVAILABLE`: not run: the target's circuit breaker is open (its database refused or
 *   dropped connections); recorded as a failure, to be retried once the target is back.
 */
export type PipelineErrorCode =
  | 'INVALID_QUERY'
  | 'INVALID_CONFIG'
  | 'GROUP_TOO_LARGE'
  | 'TOO_MANY_PARAMETERS'
  | 'TOO_MANY_QUERIES'
  | 'PIPELINE_PAUSED'
  | 'PIPELINE_HALTED'
  | 'PIPELINE_CLOSED'
  | 'QUEUE_FULL'
  | 'CONNECTION_LOST'
  | 'OUTCOME_UNKNOWN'
  | 'SKIPPED'
  | 'ROLLED_BACK'
  | 'INTERNAL'
  | 'ABANDONED'
  | 'TARGET_UNAVAILABLE'

/** Why a pipeline refused to take queries: the codes of `PipelineError`s an admission throws. */
export type AdmissionRefusal = Extract<
  PipelineErrorCode,
  'PIPELINE_PAUSED' | 'PIPELINE_HALTED' | 'PIPELINE_CLOSED' | 'QUEUE_FULL' | 'TOO_MANY_QUERIES'
>

/**
 * Each engine error code with the one HTTP status and the one tRPC code it answers with, the
 * same on both APIs (tRPC's code maps to that same HTTP status):
 * - `INVALID_INPUT`: a request or config is malformed; the message names the field.
 * - `NOT_FOUND`: no pipeline, target or failed query by that name or id (or no such route).
 * - `METHOD_NOT_ALLOWED`: the route exists but not with that HTTP method.
 * - `CONFLICT`: the thing exists already, or cannot change that way now.
 * - `PAYLOAD_TOO_LARGE`: a request body over the engine's limit.
 * - `QUEUE_FULL`: the pipeline's queue has no room for the request; retry after `Retry-After`.
 * - `PIPELINE_PAUSED`: an operator paused the pipeline; it takes queries again once resumed
 *   (503 with `Retry-After`, as for any service temporarily out).
 * - `PIPELINE_HALTED`: a `sequential` pipeline stopped at a failure; an operator must resume it.
 * - `UNAUTHORIZED`: missing or wrong bearer token, or no (or an expired) session where sign-in
 *   is required.
 * - `FORBIDDEN`: the caller's role does not allow it (the message names the role it needs); or a
 *   request a web page could have sent behind the operator's back (cross-site, or addressed to a
 *   non-loopback name while no token guards the API).
 * - `RATE_LIMITED`: too many failed sign-ins for that user or from that address; retry after
 *   `Retry-After`.
 * - `UNAVAILABLE`: the engine is shutting down, or a dependency is down.
 * - `INGEST_LOG_FULL`: the async ingest log holds as many requests as it may
 *   (`SLUICE_INGEST_LOG_MAX_DEPTH`); nothing was stored; retry after `Retry-After`.
 * - `IDEMPOTENCY_KEY_REUSED`: an `Idempotency-Key` already used on this pipeline with another
 *   request body; send the same body, or a new key for a new request.
 * - `REQUEST_IN_PROGRESS`: a request with this `Idempotency-Key` is still running and the caller
 *   asked not to wait (`Prefer: wait=0`); retry after `Retry-After` for its answer.
 */
export const ENGINE_ERRORS = {
  INVALID_INPUT: { http: 400, trpc: 'BAD_REQUEST' },
  NOT_FOUND: { http: 404, trpc: 'NOT_FOUND' },
  METHOD_NOT_ALLOWED: { http: 405, trpc: 'METHOD_NOT_SUPPORTED' },
  CONFLICT: { http: 409, trpc: 'CONFLICT' },
  PAYLOAD_TOO_LARGE: { http: 413, trpc: 'PAYLOAD_TOO_LARGE' },
  QUEUE_FULL: { http: 429, trpc: 'TOO_MANY_REQUESTS' },
  PIPELINE_PAUSED: { http: 503, trpc: 'SERVICE_UNAVAILABLE' },
  PIPELINE_HALTED: { http: 409, trpc: 'CONFLICT' },
  UNAUTHORIZED: { http: 401, trpc: 'UNAUTHORIZED' },
  FORBIDDEN: { http: 403, trpc: 'FORBIDDEN' },
  RATE_LIMITED: { http: 429, trpc: 'TOO_MANY_REQUESTS' },
  UNAVAILABLE: { http: 503, trpc: 'SERVICE_UNAVAILABLE' },
  INGEST_LOG_FULL: { http: 429, trpc: 'TOO_MANY_REQUESTS' },
  IDEMPOTENCY_KEY_REUSED: { http: 422, trpc: 'UNPROCESSABLE_CONTENT' },
  REQUEST_IN_PROGRESS: { http: 409, trpc: 'CONFLICT' },
} as const

/** A stable code of the engine's API errors (see `ENGINE_ERRORS`). */
export type EngineErrorCode = keyof typeof ENGINE_ERRORS

/**
 * The JSON body of every error the engine's HTTP API answers with.
 *
 * @example
 * const { error } = (await response.json()) as ErrorBody
 * if (error.code === 'QUEUE_FULL') await sleep(Number(response.headers.get('retry-after')) * 1000)
 */
export interface ErrorBody {
  /** `INTERNAL` (500) when the engine itself failed; the engine's log has the details. */
  readonly error: {
    readonly code: EngineErrorCode | 'INTERNAL'
    readonly message: string
    /** With `FORBIDDEN` for a role: the role the call needs. */
    readonly requiredRole?: 'viewer' | 'operator' | 'admin'
  }
}
