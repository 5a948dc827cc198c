import type { QueryResultView } from '@sluice/contract'
import { abortableSleep } from './abortableSleep'
import { asyncRequestStatusSchema, parseAnswer, type AsyncRequestStatus } from './engineAnswers'
import { checkedTimeout, type CallOptions, type EngineTransport } from './engineTransport'
import { SluiceClientError } from './sluiceClientError'

/** Options of `AsyncRequest.wait`. */
export interface WaitOptions extends CallOptions {
  /** The first wait between two looks, in ms; each next one is longer. Default 50. */
  readonly pollInitialMs?: number | undefined
  /** The longest wait between two looks, in ms. Default 1000. */
  readonly pollMaxMs?: number | undefined
}

/** What `AsyncRequest.wait` resolves with. */
export interface AsyncResult {
  readonly requestId: string | undefined
  /** Every query's own result, in the order sent. */
  readonly results: QueryResultView[]
}

interface AsyncRequestFields {
  readonly pipeline: string | undefined
  readonly requestId: string | undefined
  readonly idempotencyKey: string | undefined
  readonly queries: readonly {
    readonly queryId: string
    readonly callbackId?: string | undefined
  }[]
}

/**
 * A request the engine accepted into its durable ingest log (`sendAsync`), or one named by its id
 * (`SluiceClient.asyncRequest`). It runs whether or not anyone waits for it.
 *
 * @example
 * const request = await client.pipeline('events').sendAsync(queries)
 * const { state } = await request.status() // 'queued' | 'running' | 'done'
 * const { results } = await request.wait()
 */
export class AsyncRequest {
  /**
   * The engine's id of the request (`GET /v1/requests/<requestId>`). Undefined only when the
   * engine ran the request at once instead (an engine without async ingest): then `wait()`
   * resolves with those results.
   */
  readonly requestId: string | undefined
  /** The key it was sent with; undefined for a request named only by its id. */
  readonly idempotencyKey: string | undefined
  /** Each query's id and `callbackId`, in the order sent (empty for one named only by its id). */
  readonly queries: AsyncRequestFields['queries']
  readonly #transport: EngineTransport
  readonly #pipeline: string | undefined
  readonly #results: { readonly at: string; readonly results: QueryResultView[] } | undefined

  constructor(transport: EngineTransport, fields: AsyncRequestFields, results?: QueryResultView[]) {
    this.#transport = transport
    this.#pipeline = fields.pipeline
    this.#results = results && { at: new Date().toISOString(), results }
    this.requestId = fields.requestId
    this.idempotencyKey = fields.idempotencyKey
    this.queries = fields.queries
  }

  /** A request the engine answered at once with its results. */
  static completed(
    transport: EngineTransport,
    answer: { pipeline: string; idempotencyKey: string; results: QueryResultView[] },
  ): AsyncRequest {
    return new AsyncRequest(
      transport,
      {
        pipeline: answer.pipeline,
        requestId: undefined,
        idempotencyKey: answer.idempotencyKey,
        queries: answer.results.map(({ queryId, callbackId }) => ({ queryId, callbackId })),
      },
      answer.results,
    )
  }

  /**
   * Where the request stands now (`GET /v1/requests/:requestId`); a `NOT_FOUND` error when the
   * engine does not know it (never accepted, or past its retention).
   *
   * @example
   * const { state, acceptedAt } = await request.status()
   */
  async status(options: CallOptions = {}): Promise<AsyncRequestStatus> {
    if (this.#results !== undefined || this.requestId === undefined) {
      const { at, results } = this.#results ?? { at: '', results: [] }
      return {
        requestId: this.requestId,
        pipeline: this.#pipeline ?? '',
        state: 'done',
        acceptedAt: at,
        results,
      }
    }
    const path = `/v1/requests/${encodeURIComponent(this.requestId)}`
    const answer = await this.#transport.call({ method: 'GET', path }, options)
    return parseAnswer(asyncRequestStatusSchema, answer.body, `GET ${path}`)
  }

  /**
   * Polls the request's status, each wait longer than the last (from `pollInitialMs` up to
   * `pollMaxMs`, jittered), until it is done, then resolves with every query's result. Rejects
   * with `TIMEOUT` after `timeoutMs` (the client's by default; the request still runs), `ABORTED`
   * when `signal` fires.
   *
   * @example
   * const { results } = await request.wait({ timeoutMs: 120_000, signal: AbortSignal.timeout(130_000) })
   */
  async wait(options: WaitOptions = {}): Promise<AsyncResult> {
    if (this.#results !== undefined)
      return { requestId: this.requestId, results: this.#results.results }
    const timeoutMs = checkedTimeout(
      options.timeoutMs ?? this.#transport.settings.timeoutMs,
      'timeoutMs',
    )
    const initial = checkedTimeout(options.pollInitialMs ?? 50, 'pollInitialMs')
    const max = Math.max(initial, checkedTimeout(options.pollMaxMs ?? 1_000, 'pollMaxMs'))
    const deadline = Date.now() + timeoutMs
    for (let look = 0; ; look++) {
      const status = await this.status({
        ...options,
        timeoutMs: Math.max(1, deadline - Date.now()),
      })
      if (status.state === 'done') {
        if (status.results === undefined)
          throw new SluiceClientError(
            'INVALID_RESPONSE',
            `request ${status.requestId} is done but came without results`,
          )
        return { requestId: this.requestId, results: status.results }
      }
      const ceiling = Math.min(max, initial * 1.5 ** look)
      const pause = ceiling / 2 + Math.random() * (ceiling / 2)
      if (Date.now() + pause >= deadline)
        throw new SluiceClientError(
          'TIMEOUT',
          `request ${status.requestId} was still ${status.state} after ${String(timeoutMs)} ms (it keeps running: wait again, or look it up later)`,
          { idempotencyKey: this.idempotencyKey },
        )
      await abortableSleep(pause, options.signal).catch((reason: unknown) => {
        throw new SluiceClientError(
          'ABORTED',
          `waiting for request ${status.requestId} was aborted`,
          {
            cause: reason,
            idempotencyKey: this.idempotencyKey,
          },
        )
      })
    }
  }
}
