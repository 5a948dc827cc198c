import { AsyncRequest } from './asyncRequest'
import { checkedTimeout, EngineTransport, type TokenSource } from './engineTransport'
import { PipelineClient } from './pipelineClient'
import { DEFAULT_RETRY, retryPolicy, type RetryOptions } from './retryPolicy'
import { SluiceClientError } from './sluiceClientError'

/** Options of `new SluiceClient`. */
export interface SluiceClientOptions {
  /** The engine's base URL, e.g. `https://sluice.internal:4000`. */
  readonly url: string
  /** The engine's bearer token (`SLUICE_API_TOKEN` or a named one), or a function that gives the current one. */
  readonly token?: TokenSource | undefined
  /** Retries of every call (each call may set its own). */
  readonly retry?: RetryOptions | undefined
  /** A call's whole time, retries included, in ms, unless the call sets its own. Default 60000. */
  readonly timeoutMs?: number | undefined
  /** Headers sent with every request (a proxy's, say). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** The fetch to use (one with a custom agent, say). Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/** A call's whole time when neither the client nor the call sets one, in ms. */
export const DEFAULT_TIMEOUT_MS = 60_000

/**
 * The client of one Sluice engine's HTTP API, for Node 20+ and browsers (fetch only). Each send
 * carries an idempotency key and is sent again with it when the answer is lost, so a retry never
 * applies anything twice. Calls forward the application's OpenTelemetry trace context.
 *
 * @example
 * import { SluiceClient } from '@sluice/client'
 *
 * const client = new SluiceClient({ url: 'http://127.0.0.1:4000', token: process.env.SLUICE_TOKEN })
 * const { results } = await client.pipeline('orders').send([
 *   { sql: 'INSERT INTO orders (id, total) VALUES ($1, $2)', params: [7, 9.5] },
 *   { sql: 'SELECT count(*)::int AS n FROM orders' },
 * ])
 * console.log(results[1]?.rows) // [{ n: 1 }]
 */
export class SluiceClient {
  readonly #transport: EngineTransport

  constructor(options: SluiceClientOptions) {
    this.#transport = new EngineTransport({
      baseUrl: checkedBaseUrl(options.url),
      token: options.token,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      headers: { ...options.headers },
      retry: retryPolicy(DEFAULT_RETRY, options.retry),
      timeoutMs: checkedTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs'),
    })
  }

  /**
   * The engine's pipeline named `name` (nothing is sent until a call).
   *
   * @example
   * const { results } = await client.pipeline('orders').send([{ sql: 'SELECT 1 AS one' }])
   */
  pipeline(name: string): PipelineClient {
    return new PipelineClient(name, this.#transport)
  }

  /**
   * An async request by its id, from an earlier `sendAsync` (in this process or another).
   *
   * @example
   * const { results } = await client.asyncRequest(savedRequestId).wait()
   */
  asyncRequest(requestId: string): AsyncRequest {
    return new AsyncRequest(this.#transport, {
      pipeline: undefined,
      requestId,
      idempotencyKey: undefined,
      queries: [],
    })
  }
}

function checkedBaseUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new SluiceClientError(
      'INVALID_OPTIONS',
      `url must be an absolute http(s) URL, got "${url}"`,
    )
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new SluiceClientError('INVALID_OPTIONS', `url must be an http(s) URL, got "${url}"`)
  return parsed.href.replace(/\/+$/, '')
}
