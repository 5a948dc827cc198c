import {
  backoffMs,
  isRetryable,
  retryAfterMs,
  retryPolicy,
  type RetryOptions,
  type RetryPolicy,
} from './retryPolicy'
import { abortableSleep } from './abortableSleep'
import { SluiceClientError } from './sluiceClientError'

/** A bearer token, or a function that gives the current one (read before every attempt). */
export type TokenSource = string | (() => string | Promise<string>)

/** What every call may set for itself. */
export interface CallOptions {
  /** Abandons the call (its attempts and waits) with an `ABORTED` error. */
  readonly signal?: AbortSignal | undefined
  /** The whole call's time, retries and their waits included, in ms; then `TIMEOUT`. */
  readonly timeoutMs?: number | undefined
  /** This call's retries, over the client's. */
  readonly retry?: RetryOptions | undefined
}

/** The client's settings, checked once. */
export interface TransportSettings {
  /** The engine's base URL, without a trailing slash. */
  readonly baseUrl: string
  readonly token: TokenSource | undefined
  readonly fetch: typeof globalThis.fetch
  readonly headers: Readonly<Record<string, string>>
  readonly retry: RetryPolicy
  readonly timeoutMs: number
}

/** One request to the engine, sent as often as the retry policy allows. */
export interface EngineRequest {
  readonly method: 'GET' | 'POST'
  /** Path under the base URL, e.g. `/v1/pipelines/orders/queries`. */
  readonly path: string
  /** The JSON body, serialized once: every attempt sends the very same bytes. */
  readonly body?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as `Idempotency-Key` on every attempt, and named in errors. */
  readonly idempotencyKey?: string
}

/** A successful (2xx) answer with its JSON body. */
export interface EngineAnswer {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
  /** How many times the request was sent. */
  readonly attempts: number
}

/**
 * Checks a `timeoutMs`: a positive number of ms.
 *
 * @example
 * checkedTimeout(30_000, 'timeoutMs') // 30000
 */
export function checkedTimeout(value: number, name: string): number {
  if (!(value > 0) || Number.isNaN(value))
    throw new SluiceClientError(
      'INVALID_OPTIONS',
      `${name} must be a number of ms > 0, got ${String(value)}`,
    )
  return value
}

/**
 * Sends requests to the engine over `fetch`, with the token and headers, and sends each again
 * (same bytes, same idempotency key) while its failure is retryable, the attempts last and the
 * call's time allows, waiting a capped, jittered backoff or the engine's `Retry-After`.
 * Every failure comes out as one `SluiceClientError`.
 *
 * @example
 * const transport = new EngineTransport(settings)
 * const answer = await transport.call({ method: 'GET', path: '/v1/requests/abc' }, { timeoutMs: 5_000 })
 */
export class EngineTransport {
  readonly settings: TransportSettings

  constructor(settings: TransportSettings) {
    this.settings = settings
  }

  /** Sends `request` until it is answered 2xx (resolves) or cannot be (rejects). */
  async call(request: EngineRequest, options: CallOptions = {}): Promise<EngineAnswer> {
    const policy = retryPolicy(this.settings.retry, options.retry)
    const timeoutMs = checkedTimeout(options.timeoutMs ?? this.settings.timeoutMs, 'timeoutMs')
    const deadline = Date.now() + timeoutMs
    const { signal } = options
    for (let attempt = 1; ; attempt++) {
      let failure: SluiceClientError
      try {
        const answer = await this.#attempt(request, signal, deadline, timeoutMs)
        return { ...answer, attempts: attempt }
      } catch (error) {
        if (!(error instanceof SluiceClientError)) throw error
        failure = error.withAttempts(request.idempotencyKey, attempt)
      }
      if (!isRetryable(failure) || attempt >= policy.maxAttempts) throw failure
      const waitMs = Math.max(failure.retryAfterMs ?? 0, backoffMs(policy, attempt))
      // A wait that would outlast the call gives the caller the reason now, not a TIMEOUT later.
      if (Date.now() + waitMs >= deadline) throw failure
      await abortableSleep(waitMs, signal).catch((reason: unknown) => {
        throw aborted(reason, request, attempt)
      })
    }
  }

  async #attempt(
    request: EngineRequest,
    signal: AbortSignal | undefined,
    deadline: number,
    timeoutMs: number,
  ): Promise<Omit<EngineAnswer, 'attempts'>> {
    if (signal?.aborted) throw aborted(signal.reason, request, 0)
    const url = `${this.settings.baseUrl}${request.path}`
    const headers = await this.#headers(request)
    // One controller for the caller's signal and the call's deadline, so either ends the attempt
    // (AbortSignal.any is missing from browsers still in use).
    const controller = new AbortController()
    const timer = setTimeout(
      () => {
        controller.abort()
      },
      Math.max(0, deadline - Date.now()),
    )
    const onAbort = (): void => {
      controller.abort()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    let response: Response
    let text: string
    try {
      response = await this.settings.fetch(url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: controller.signal,
      })
      text = await response.text()
    } catch (error) {
      if (signal?.aborted) throw aborted(signal.reason, request, 0)
      // Aborted, and not by the caller: the deadline.
      if (controller.signal.aborted)
        throw new SluiceClientError(
          'TIMEOUT',
          `no answer from ${request.method} ${url} within ${String(timeoutMs)} ms`,
          { cause: error },
        )
      throw new SluiceClientError(
        'NETWORK',
        `no answer from ${request.method} ${url}: ${describeNetworkError(error)}`,
        {
          cause: error,
        },
      )
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
    return answerOf(response, text, `${request.method} ${url}`)
  }

  async #headers(request: EngineRequest): Promise<Record<string, string>> {
    const { token } = this.settings
    const bearer = typeof token === 'function' ? await token() : token
    return {
      accept: 'application/json',
      ...this.settings.headers,
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      ...(request.idempotencyKey === undefined
        ? {}
        : { 'idempotency-key': request.idempotencyKey }),
      ...request.headers,
    }
  }
}

function aborted(reason: unknown, request: EngineRequest, attempts: number): SluiceClientError {
  return new SluiceClientError('ABORTED', `${request.method} ${request.path} was aborted`, {
    cause: reason,
    idempotencyKey: request.idempotencyKey,
    attempts,
  })
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, a reset socket) is in its cause. */
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${cause.message} (${code})`
      : cause.message
  }
  return error instanceof Error ? error.message : String(error)
}

interface EngineErrorBody {
  readonly error: {
    readonly code: string
    readonly message: string
    readonly requiredRole?: unknown
    readonly ownerUrl?: unknown
  }
  readonly ownerUrl?: unknown
}

function isEngineErrorBody(body: unknown): body is EngineErrorBody {
  if (typeof body !== 'object' || body === null) return false
  const error = (body as { error?: unknown }).error
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  )
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

/** A 2xx answer with its parsed body, or the error the answer says. */
function answerOf(response: Response, text: string, what: string): Omit<EngineAnswer, 'attempts'> {
  const parsed = parseJson(text)
  if (response.ok) {
    if (!parsed.ok)
      throw new SluiceClientError(
        'INVALID_RESPONSE',
        `${what} answered ${String(response.status)} with a body that is not JSON`,
        {
          status: response.status,
        },
      )
    return { status: response.status, headers: response.headers, body: parsed.value }
  }
  const retryAfter = retryAfterMs(response.headers.get('retry-after'))
  if (parsed.ok && isEngineErrorBody(parsed.value)) {
    const { code, message, requiredRole } = parsed.value.error
    const ownerUrl = parsed.value.error.ownerUrl ?? parsed.value.ownerUrl
    // The engine's code as sent: a newer engine's code passes through unchanged.
    throw new SluiceClientError(code as SluiceClientError['code'], message, {
      status: response.status,
      retryAfterMs: retryAfter,
      requiredRole: typeof requiredRole === 'string' ? requiredRole : undefined,
      ownerUrl: typeof ownerUrl === 'string' ? ownerUrl : undefined,
    })
  }
  throw new SluiceClientError(
    'HTTP_ERROR',
    `${what} answered ${String(response.status)} ${response.statusText} without the engine's error body`.trimEnd(),
    { status: response.status, retryAfterMs: retryAfter },
  )
}
