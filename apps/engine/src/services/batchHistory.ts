import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import type { BatchList, BatchView } from '@sluice/contract'
import type { BatchService } from '../trpc/services'

/** Finds a batch's trace id when the batch event did not carry one (the telemetry package's span store). */
export type TraceIdLookup = (pipeline: string, batchId: string) => string | undefined

/**
 * Recent batches across pipelines, newest first, each with a link to its trace in Jaeger.
 *
 * @example
 * new BatchHistory(registry, 'http://localhost:16686').list('orders', 20)
 */
export class BatchHistory implements BatchService {
  readonly #registry: PipelineRegistry
  readonly #jaegerUiUrl: string
  readonly #lookupTraceId: TraceIdLookup | undefined

  constructor(registry: PipelineRegistry, jaegerUiUrl: string, lookupTraceId?: TraceIdLookup) {
    this.#registry = registry
    this.#jaegerUiUrl = jaegerUiUrl.replace(/\/+$/, '')
    this.#lookupTraceId = lookupTraceId
  }

  list(pipeline: string | undefined, limit: number): BatchList {
    const sources =
      pipeline === undefined
        ? this.#registry.all()
        : [this.#registry.find(pipeline)].flatMap((item) => item ?? [])
    const items: BatchView[] = sources
      .flatMap((managed) => managed.recentBatches(limit))
      .sort((a, b) => b.startedAt - a.startedAt)
      .slice(0, limit)
      .map((batch) => {
        const traceId =
          batch.traceId ?? this.#lookupTraceId?.(batch.pipeline, batch.batchId) ?? null
        return {
          batchId: batch.batchId,
          pipeline: batch.pipeline,
          strategy: batch.strategy,
          size: batch.size,
          statements: batch.statements,
          durationMs: batch.durationMs,
          succeeded: batch.succeeded,
          failed: batch.failed,
          skipped: batch.skipped,
          rolledBack: batch.rolledBack,
          deduplicated: batch.deduplicated,
          merged: batch.merged,
          effectiveBatchSize: batch.effectiveBatchSize,
          startedAt: new Date(batch.startedAt).toISOString(),
          traceId,
          traceUrl: traceId === null ? null : `${this.#jaegerUiUrl}/trace/${traceId}`,
          callers: (batch.callers ?? []).map((caller) => ({
            ...caller,
            traceUrl: `${this.#jaegerUiUrl}/trace/${caller.traceId}`,
          })),
        }
      })
    return { jaegerUiUrl: this.#jaegerUiUrl, items }
  }
}
