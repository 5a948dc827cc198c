import { randomBytes } from 'node:crypto'
import { e2eRun } from './e2eRun'

/*
 * What an application or a deploy script does against the engine, over its real HTTP API:
 * pipelines as code, the ingest endpoint, and tRPC reads to check what the engine did.
 */

const run = e2eRun()
const auth = { authorization: `Bearer ${run.apiToken}` }

/** A name no other test uses: tests share one engine and one database. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(3).toString('hex')}`
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(`${run.engineUrl}${path}`, {
    method,
    headers:
      body === undefined
        ? { ...auth, ...headers }
        : { ...auth, ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

/** Creates or updates a pipeline the way a deploy script would (`PUT /v1/pipelines/:name`). */
export function putPipeline(name: string, config: Record<string, unknown> = {}): Promise<unknown> {
  return call('PUT', `/v1/pipelines/${name}`, config)
}

/** A pipeline's config and status as the engine reports them (`GET /v1/pipelines/:name`). */
export function getPipeline(name: string): Promise<{
  config: { batchSize: number; strategy: string; flushIntervalMs: number }
  status: { effectiveBatchSize: number; state: string }
}> {
  return call('GET', `/v1/pipelines/${name}`)
}

/** One query's result as the ingest API answers it. */
export interface IngestResult {
  status: string
  success: boolean
  rowCount: number
  error?: { message: string; code?: string }
  failureId?: string
  batchId: string | null
}

/**
 * Sends queries through the ingest API and waits for their results; `headers` such as the
 * `traceparent` of a traced application.
 */
export async function ingest(
  pipeline: string,
  queries: { sql: string; params?: unknown[] }[],
  headers: Record<string, string> = {},
): Promise<IngestResult[]> {
  const answer = await call<{ results: IngestResult[] }>(
    'POST',
    `/v1/pipelines/${pipeline}/queries`,
    { queries },
    headers,
  )
  return answer.results
}

/** Reads a tRPC query procedure directly from the engine, to check what the console showed. */
export async function trpcQuery<T>(procedure: string, input: unknown): Promise<T> {
  const answer = await call<{ result: { data: T } }>(
    'GET',
    `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
  )
  return answer.result.data
}
