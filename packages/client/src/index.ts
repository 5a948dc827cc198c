/**
 * The TypeScript client of the Sluice engine's HTTP API, for Node 20+ and browsers (fetch only,
 * no Node built-ins). Typed results (the shapes of `@sluice/contract`); an idempotency key per
 * call, re-sent on network errors, 5xx and 429 (honouring `Retry-After`, capped exponential
 * backoff with full jitter), so a retry never applies anything twice; async requests through the
 * engine's durable ingest log; the application's OpenTelemetry trace context forwarded as
 * `traceparent`; every failure one `SluiceClientError` with a `code`.
 *
 * @example
 * import { SluiceClient, SluiceClientError } from '@sluice/client'
 *
 * const client = new SluiceClient({ url: 'http://127.0.0.1:4000', token: 'secret' })
 * const orders = client.pipeline('orders')
 * try {
 *   const { results } = await orders.send([{ sql: 'SELECT $1::int + 1 AS n', params: [41] }])
 *   console.log(results[0]?.rows) // [{ n: 42 }]
 *   const request = await orders.sendAsync([{ sql: 'INSERT INTO events (v) VALUES ($1)', params: [1] }])
 *   console.log((await request.wait()).results[0]?.status) // 'succeeded'
 * } catch (error) {
 *   if (error instanceof SluiceClientError) console.error(error.code, error.status, error.message)
 * }
 *
 * @module
 */
export { SluiceClient, DEFAULT_TIMEOUT_MS } from './sluiceClient'
export type { SluiceClientOptions } from './sluiceClient'
export { PipelineClient } from './pipelineClient'
export type { SendOptions, SendResult } from './pipelineClient'
export { AsyncRequest } from './asyncRequest'
export type { AsyncResult, WaitOptions } from './asyncRequest'
export type { AsyncRequestState, AsyncRequestStatus } from './engineAnswers'
export type { CallOptions, TokenSource } from './engineTransport'
export { DEFAULT_RETRY } from './retryPolicy'
export type { RetryOptions } from './retryPolicy'
export { SluiceClientError } from './sluiceClientError'
export type { SluiceClientErrorCode, SluiceClientErrorDetails } from './sluiceClientError'
export type { QueryInput, QueryResultView, QueryStatus } from '@sluice/contract'
