/** One query as the ingest endpoint takes it. */
export interface IngestQuery {
  sql: string
  params?: unknown[]
  callbackId?: string
}

/** What an ingest call came back with (or why nothing came back). */
export interface IngestAnswer {
  /** HTTP status, or 0 when no answer arrived (connection refused or reset, timeout). */
  readonly status: number
  readonly body: unknown
  readonly text: string
  readonly retryAfter: string | null
  readonly contentType: string | null
  readonly latencyMs: number
  /** Why no answer arrived, when status is 0. */
  readonly failure?: string
}

export interface CallOptions {
  readonly token?: string
  readonly timeoutMs?: number
  readonly method?: string
  readonly headers?: Record<string, string>
}

/**
 * Sends a raw body to the engine and never throws: transport failures come back as status 0.
 *
 * @example
 * const answer = await callEngine(`${base}/v1/pipelines/p/queries`, JSON.stringify({ queries: [] }))
 */
export async function callEngine(
  url: string,
  body: string | Uint8Array | undefined,
  options: CallOptions = {},
): Promise<IngestAnswer> {
  const started = performance.now()
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  try {
    const response = await fetch(url, {
      method: options.method ?? 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    })
    const text = await response.text()
    let parsed: unknown = undefined
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    return {
      status: response.status,
      body: parsed,
      text,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      latencyMs: performance.now() - started,
    }
  } catch (error) {
    const cause =
      error instanceof Error
        ? `${error.name}: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
        : String(error)
    return {
      status: 0,
      body: undefined,
      text: '',
      retryAfter: null,
      contentType: null,
      latencyMs: performance.now() - started,
      failure: cause,
    }
  }
}

/**
 * POSTs queries to `/v1/pipelines/:name/queries`.
 *
 * @example
 * const answer = await ingest(base, 'orders', [{ sql: 'SELECT 1' }])
 */
export function ingest(
  baseUrl: string,
  pipeline: string,
  queries: IngestQuery[],
  options: CallOptions & { group?: boolean } = {},
): Promise<IngestAnswer> {
  const payload: { queries: IngestQuery[]; group?: boolean } = { queries }
  if (options.group !== undefined) payload.group = options.group
  return callEngine(
    `${baseUrl}/v1/pipelines/${encodeURIComponent(pipeline)}/queries`,
    JSON.stringify(payload),
    options,
  )
}

/** One query's result as the ingest endpoint returns it (the fields these tests read). */
export interface IngestResult {
  status: string
  callbackId?: string
  rows?: Record<string, unknown>[]
  failureId?: string
  error?: { message?: string; code?: string; outcomeUnknown?: boolean }
}

/** The `results` array of an ingest answer, or undefined when the body has none. */
export function resultsOf(answer: IngestAnswer): IngestResult[] | undefined {
  const body = answer.body
  if (typeof body !== 'object' || body === null || !('results' in body)) return undefined
  const results = body.results
  return Array.isArray(results) ? (results as IngestResult[]) : undefined
}
