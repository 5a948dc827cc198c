import type { QueryInput } from '@sluice/contract'
import type { BatchEvent, QueryError, QueryResult } from '../types'

/**
 * The query a result belongs to, as it was submitted: `params` is a frozen copy of the values
 * given (the engine records failed ones from it).
 *
 * @example
 * pipeline.on('result', (result, query: SubmittedQuery) => { if (!result.success) store.save(query.sql, query.params) })
 */
export interface SubmittedQuery extends QueryInput {
  readonly params: readonly unknown[]
}

/**
 * Listener signatures of `pipeline.on(...)`.
 *
 * @example
 * const onBatch: PipelineEvents['batch'] = (event) => console.log(event.size)
 */
export interface PipelineEvents {
  /** Every query's one result, as soon as its batch finished. */
  result: (result: QueryResult, query: SubmittedQuery) => void
  /** Every finished batch. */
  batch: (event: BatchEvent) => void
  /** The pipeline halted (a `sequential` batch failed, or `halt()`), with the failure that caused it. */
  halt: (reason: QueryError) => void
}

/**
 * A small typed emitter. A listener that throws does not disturb the pipeline or the other
 * listeners; its error is reported as a process warning.
 */
export class PipelineEventEmitter {
  private readonly listeners: { [K in keyof PipelineEvents]: Set<PipelineEvents[K]> } = {
    result: new Set(),
    batch: new Set(),
    halt: new Set(),
  }

  on<K extends keyof PipelineEvents>(event: K, listener: PipelineEvents[K]): void {
    this.listeners[event].add(listener)
  }

  off<K extends keyof PipelineEvents>(event: K, listener: PipelineEvents[K]): void {
    this.listeners[event].delete(listener)
  }

  hasListeners(event: keyof PipelineEvents): boolean {
    return this.listeners[event].size > 0
  }

  emit<K extends keyof PipelineEvents>(event: K, ...args: Parameters<PipelineEvents[K]>): void {
    for (const listener of this.listeners[event]) {
      try {
        ;(listener as (...values: Parameters<PipelineEvents[K]>) => void)(...args)
      } catch (error) {
        process.emitWarning(
          `a sluice '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
    }
  }
}
