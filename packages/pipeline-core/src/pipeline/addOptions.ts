import type { SpanContext } from '@opentelemetry/api'

/**
 * Options of `addQuery` / `addGroup`.
 *
 * @example
 * await pipeline.addQuery('SELECT 1', [], { callbackId: 'ping', wait: false })
 */
export interface AddOptions {
  /** Echoed on the result, so callers can match results they get through events. */
  readonly callbackId?: string
  /** Wait while the queue is full (default). False: reject at once with QUEUE_FULL. */
  readonly wait?: boolean
  /**
   * The caller's span, for the batch span to link to, when it is not the active span: e.g. taken
   * from a request's `traceparent` header. Default: the span active when the query is added.
   */
  readonly callerContext?: SpanContext
}
