import { ingest, resultsOf, type IngestQuery } from './ingestClient'
import { outcomeOfResult, type Ledger } from './ledger'
import { sleep } from './timing'

export interface IngestLoadOptions {
  readonly baseUrl: string
  readonly pipeline: string
  readonly token?: string
  /** Request loops running at once. */
  readonly workers: number
  readonly queriesPerRequest: number
  /** Each query of the load, built from its unique key and its request's unique id. */
  readonly makeQuery: (key: string, requestId: string) => IngestQuery
  readonly ledger: Ledger
  readonly keyPrefix: string
  /** The loops stop when this returns true (checked before every request). */
  readonly stop: () => boolean
  /** Hard bound on requests, whatever `stop` says. */
  readonly maxRequests: number
  readonly timeoutMs?: number
  readonly group?: boolean
  /** Wait this long after a 429/503 or a transport failure before the next request. */
  readonly pauseAfterRefusalMs?: number
}

/** Figures of one load run. */
export interface IngestLoadStats {
  requests: number
  queries: number
  byStatus: Record<string, number>
  /** Latency (ms) of requests answered 200. */
  okLatenciesMs: number[]
  /** Retry-After values seen on 429s. */
  retryAfter: string[]
  /** Transport failures seen (first few). */
  failures: string[]
  /** Answers whose results did not line up with the queries sent (count). */
  mismatched: number
}

/**
 * Runs bounded request loops against the ingest endpoint (127.0.0.1 only), giving every query
 * a unique key and recording in `ledger` what each query's caller was told.
 *
 * @example
 * const stats = await runIngestLoad({ baseUrl, pipeline: 'p', workers: 4, queriesPerRequest: 10,
 *   makeQuery: (key) => ({ sql: 'INSERT INTO t (key) VALUES ($1)', params: [key] }),
 *   ledger, keyPrefix: 'run1', stop: () => Date.now() > end, maxRequests: 10_000 })
 */
export async function runIngestLoad(options: IngestLoadOptions): Promise<IngestLoadStats> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(options.baseUrl))
    throw new Error(`load only goes to 127.0.0.1: ${options.baseUrl}`)
  const stats: IngestLoadStats = {
    requests: 0,
    queries: 0,
    byStatus: {},
    okLatenciesMs: [],
    retryAfter: [],
    failures: [],
    mismatched: 0,
  }
  let counter = 0
  let requestCounter = 0
  const worker = async (): Promise<void> => {
    while (!options.stop() && stats.requests < options.maxRequests) {
      stats.requests += 1
      const requestId = `${options.keyPrefix}-r${requestCounter++}`
      const keys = Array.from(
        { length: options.queriesPerRequest },
        () => `${options.keyPrefix}-${counter++}`,
      )
      const queries = keys.map((key) => {
        options.ledger.issue(key)
        return { ...options.makeQuery(key, requestId), callbackId: key }
      })
      stats.queries += queries.length
      const answer = await ingest(options.baseUrl, options.pipeline, queries, {
        token: options.token,
        timeoutMs: options.timeoutMs ?? 30_000,
        group: options.group,
      })
      const statusKey = String(answer.status)
      stats.byStatus[statusKey] = (stats.byStatus[statusKey] ?? 0) + 1
      if (answer.status === 200) {
        stats.okLatenciesMs.push(answer.latencyMs)
        const results = resultsOf(answer) ?? []
        if (results.length !== keys.length) stats.mismatched += 1
        results.forEach((result, index) => {
          const key = keys[index]
          if (key === undefined) return
          // A result handed to the wrong query is as bad as a lost one.
          if (result.callbackId !== key) {
            stats.mismatched += 1
            return
          }
          options.ledger.record(key, outcomeOfResult(result))
        })
      } else if (
        answer.status === 429 ||
        answer.status === 503 ||
        (answer.status >= 400 && answer.status < 500)
      ) {
        for (const key of keys) options.ledger.record(key, 'rejected')
        if (answer.status === 429 && answer.retryAfter !== null)
          stats.retryAfter.push(answer.retryAfter)
        if (options.pauseAfterRefusalMs) await sleep(options.pauseAfterRefusalMs)
      } else {
        // No answer, or a 5xx that does not say what ran: each query applied at most once.
        for (const key of keys) options.ledger.record(key, 'no-answer')
        if (answer.failure && stats.failures.length < 5) stats.failures.push(answer.failure)
        if (options.pauseAfterRefusalMs) await sleep(options.pauseAfterRefusalMs)
      }
    }
  }
  await Promise.all(Array.from({ length: options.workers }, worker))
  return stats
}

/** The `p`th percentile (0..100) of `values`, 0 when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? 0
}
