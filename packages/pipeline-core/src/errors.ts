/**
 * What went wrong, as a stable code callers can switch on.
 * - `INVALID_QUERY`: sql/params/options of a query are malformed (checked before queuing).
 * - `INVALID_CONFIG`: a pipeline option is out of range or unknown.
 * - `GROUP_TOO_LARGE`: `addGroup` got more queries than `batchSize`.
 * - `TOO_MANY_PARAMETERS`: more than 65535 bind parameters in one query.
 * - `PIPELINE_HALTED`: a `sequential` pipeline stopped at a failure; call `resume()`.
 * - `PIPELINE_CLOSED`: `close()` was called.
 * - `QUEUE_FULL`: the queue is full and the caller asked not to wait.
 * - `CONNECTION_LOST`: (result error code) the connection to PostgreSQL broke, or a connect got no
 *   answer; a connect the server refused keeps the server's SQLSTATE (53300, 57P03...) instead.
 * - `OUTCOME_UNKNOWN`: a COMMIT was sent but its answer never came back.
 * - `SKIPPED`: (result error code) not run because an earlier query of a `sequential` pipeline failed.
 * - `ROLLED_BACK`: (result error code) undone because another query of its transaction failed.
 * - `INTERNAL`: (result error code) the executor itself failed; the query's outcome is reported, never dropped.
 */
export type PipelineErrorCode =
  | 'INVALID_QUERY'
  | 'INVALID_CONFIG'
  | 'GROUP_TOO_LARGE'
  | 'TOO_MANY_PARAMETERS'
  | 'PIPELINE_HALTED'
  | 'PIPELINE_CLOSED'
  | 'QUEUE_FULL'
  | 'CONNECTION_LOST'
  | 'OUTCOME_UNKNOWN'
  | 'SKIPPED'
  | 'ROLLED_BACK'
  | 'INTERNAL'

/**
 * The one error type Sluice throws. `code` says what kind of problem it is; the message names
 * what was wrong.
 *
 * @example
 * try {
 *   await pipeline.addQuery(42 as unknown as string)
 * } catch (error) {
 *   if (error instanceof PipelineError && error.code === 'INVALID_QUERY') console.error(error.message)
 * }
 */
export class PipelineError extends Error {
  override readonly name = 'PipelineError'
  readonly code: PipelineErrorCode

  constructor(code: PipelineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
