import type { QueryInput, QueryResultView } from '@sluice/contract'
import { AsyncRequest } from './asyncRequest'
import { asyncAcceptedSchema, ingestAnswerSchema, parseAnswer } from './engineAnswers'
import type { CallOptions, EngineTransport } from './engineTransport'
import { newIdempotencyKey } from './idempotencyKey'
import { traceHeaders } from './traceHeaders'

/** Options of `send` and `sendAsync`. */
export interface SendOptions extends CallOptions {
  /** Run the queries in one batch (one transaction on a `transactional` pipeline). */
  readonly group?: boolean | undefined
  /**
   * The request's name: sending the same queries again with it never applies them twice. Default:
   * a new random key per call, re-sent on every retry of that call. Pass your own to re-send
   * across process restarts (kept in an outbox, say).
   */
  readonly idempotencyKey?: string | undefined
}

/** What `send` resolves with. */
export interface SendResult {
  /** Every query's own result, in the order sent (a failed query is a result, not an error). */
  readonly results: QueryResultView[]
  /** The key the request was sent with. */
  readonly idempotencyKey: string
  /** The engine answered from an earlier run of this key (`Idempotent-Replayed: true`): nothing ran again. */
  readonly replayed: boolean
  /** A replayed answer too large to have been kept whole: statuses without rows. */
  readonly rowsOmitted: boolean
  /** How many times the request was sent. */
  readonly attempts: number
}

/**
 * One named pipeline of the engine, from `SluiceClient.pipeline(name)`.
 *
 * @example
 * const orders = client.pipeline('orders')
 * const { results } = await orders.send([{ sql: 'INSERT INTO orders (id) VALUES ($1)', params: [7] }])
 */
export class PipelineClient {
  readonly name: string
  readonly #transport: EngineTransport
  readonly #path: string

  constructor(name: string, transport: EngineTransport) {
    this.name = name
    this.#transport = transport
    this.#path = `/v1/pipelines/${encodeURIComponent(name)}/queries`
  }

  /**
   * Sends queries and resolves with each one's result once they ran. A lost answer (network
   * error, 5xx, 429) is sent again with the same idempotency key, so it never applies twice.
   * Rejects with a `SluiceClientError` when the request itself fails; a query that fails is a
   * `failed` result instead.
   *
   * @example
   * const { results } = await client.pipeline('orders').send(
   *   [{ sql: 'SELECT total FROM orders WHERE id = $1', params: [7], callbackId: 'o7' }],
   *   { timeoutMs: 10_000 },
   * )
   * if (results[0]?.status === 'succeeded') console.log(results[0].rows)
   */
  async send(queries: readonly QueryInput[], options: SendOptions = {}): Promise<SendResult> {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey()
    const answer = await this.#transport.call(
      {
        method: 'POST',
        path: this.#path,
        body: ingestBody(queries, options),
        headers: traceHeaders(),
        idempotencyKey,
      },
      options,
    )
    const { results, rowsOmitted } = parseAnswer(
      ingestAnswerSchema,
      answer.body,
      `POST ${this.#path}`,
    )
    return {
      results,
      idempotencyKey,
      replayed: answer.headers.get('idempotent-replayed') === 'true',
      rowsOmitted: rowsOmitted === true,
      attempts: answer.attempts,
    }
  }

  /**
   * Hands queries to the engine's durable ingest log (`Prefer: respond-async`): resolves as soon
   * as the engine stored them (202), before they run. `wait()` then polls until they did. Sent
   * again on a lost answer with the same key, which names the same request: never queued twice.
   *
   * @example
   * const request = await client.pipeline('events').sendAsync([{ sql: 'INSERT INTO events (v) VALUES ($1)', params: [1] }])
   * console.log(request.requestId) // keep it: client.asyncRequest(id).wait() works from anywhere
   * const { results } = await request.wait({ timeoutMs: 60_000 })
   */
  async sendAsync(
    queries: readonly QueryInput[],
    options: SendOptions = {},
  ): Promise<AsyncRequest> {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey()
    const answer = await this.#transport.call(
      {
        method: 'POST',
        path: this.#path,
        body: ingestBody(queries, options),
        headers: { ...traceHeaders(), prefer: 'respond-async' },
        idempotencyKey,
      },
      options,
    )
    const what = `POST ${this.#path}`
    if (answer.status !== 202) {
      // The engine may ignore the preference (RFC 7240) and run the request at once: its
      // results are here already, and a request whose answer came is not lost.
      const { results } = parseAnswer(ingestAnswerSchema, answer.body, what)
      return AsyncRequest.completed(this.#transport, {
        pipeline: this.name,
        idempotencyKey,
        results,
      })
    }
    const accepted = parseAnswer(asyncAcceptedSchema, answer.body, what)
    return new AsyncRequest(this.#transport, {
      pipeline: this.name,
      requestId: accepted.requestId,
      idempotencyKey,
      queries: accepted.queries,
    })
  }
}

function ingestBody(queries: readonly QueryInput[], options: SendOptions): string {
  return JSON.stringify(options.group === true ? { queries, group: true } : { queries })
}
