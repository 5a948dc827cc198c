import { PipelineError, type QueryPipeline, type QueryResult } from '@sluice/pipeline-core'
import { outcomeOfResult, type Ledger } from '../testing/ledger'
import { within } from '../testing/timing'

export interface PipelineLoadOptions {
  readonly pipeline: QueryPipeline
  readonly ledger: Ledger
  /** Table the load inserts into: `(key, grp)`. */
  readonly table: string
  readonly keyPrefix: string
  /** Loops running at once; each adds `burst` queries, then waits for their results. */
  readonly producers: number
  readonly burst: number
  /** With a group size, queries are added `groupSize` at a time with `addGroup` (one `grp`). */
  readonly groupSize?: number
  readonly stop: () => boolean
  readonly maxQueries: number
  /** A result not settled this long after its burst counts as never answered. */
  readonly resultTimeoutMs: number
}

/** Figures of a load run straight through a QueryPipeline. */
export interface PipelineLoadStats {
  submitted: number
  /** addQuery/addGroup refusals by PipelineError code (the query was never accepted). */
  refused: Record<string, number>
  /** Times a sequential pipeline halted and the load resumed it. */
  resumes: number
  /** Sum of every result's retryCount, and how many results had one. */
  retries: number
  retriedQueries: number
  /** Results whose callbackId was not their query's key. */
  mismatched: number
  /** Distinct error messages seen, by outcome (a few each), to say what the faults looked like. */
  errorSamples: Record<string, string[]>
}

const timedOut = Symbol('timed out')

/**
 * Bounded producers adding unique-key INSERTs to a pipeline and recording every outcome.
 *
 * @example
 * const stats = await runPipelineLoad({ pipeline, ledger, table: 'events', keyPrefix: 'a',
 *   producers: 4, burst: 25, stop: () => done, maxQueries: 20_000, resultTimeoutMs: 30_000 })
 */
export async function runPipelineLoad(options: PipelineLoadOptions): Promise<PipelineLoadStats> {
  const stats: PipelineLoadStats = {
    submitted: 0,
    refused: {},
    resumes: 0,
    retries: 0,
    retriedQueries: 0,
    mismatched: 0,
    errorSamples: {},
  }
  const sql = `INSERT INTO ${options.table} (key, grp) VALUES ($1, $2)`
  let counter = 0
  let group = 0
  const refuse = (keys: readonly string[], error: unknown): void => {
    const code = error instanceof PipelineError ? error.code : 'OTHER'
    stats.refused[code] = (stats.refused[code] ?? 0) + keys.length
    for (const key of keys) options.ledger.record(key, 'rejected')
    if (code === 'PIPELINE_HALTED') {
      stats.resumes += 1
      options.pipeline.resume()
    } else if (code !== 'QUEUE_FULL') {
      throw error
    }
  }
  const settle = async (key: string, result: Promise<QueryResult>): Promise<void> => {
    const settled = await within(result, options.resultTimeoutMs, timedOut)
    if (settled === timedOut) return
    if (settled.callbackId !== key) {
      stats.mismatched += 1
      return
    }
    if (settled.retryCount > 0) {
      stats.retries += settled.retryCount
      stats.retriedQueries += 1
    }
    const outcome = outcomeOfResult(settled)
    if (settled.error) {
      const samples = (stats.errorSamples[outcome] ??= [])
      const text = `${settled.error.code ?? '-'}: ${settled.error.message} (retries ${settled.retryCount})`
      if (samples.length < 3 && !samples.includes(text)) samples.push(text)
    }
    options.ledger.record(key, outcome)
  }

  const producer = async (): Promise<void> => {
    while (!options.stop() && stats.submitted < options.maxQueries) {
      const pending: Promise<void>[] = []
      const size = options.groupSize ?? 1
      for (let added = 0; added < options.burst; added += size) {
        const grp = `${options.keyPrefix}-g${group++}`
        const keys = Array.from({ length: size }, () => `${options.keyPrefix}-${counter++}`)
        for (const key of keys) options.ledger.issue(key)
        stats.submitted += keys.length
        try {
          if (options.groupSize === undefined) {
            const key = keys[0] ?? ''
            const handle = await options.pipeline.addQuery(sql, [key, grp], { callbackId: key })
            pending.push(settle(key, handle.result))
          } else {
            const handles = await options.pipeline.addGroup(
              keys.map((key) => ({ sql, params: [key, grp], callbackId: key })),
            )
            handles.forEach((handle, index) =>
              pending.push(settle(keys[index] ?? '', handle.result)),
            )
          }
        } catch (error) {
          refuse(keys, error)
        }
      }
      await Promise.all(pending)
    }
  }
  await Promise.all(Array.from({ length: options.producers }, producer))
  return stats
}
