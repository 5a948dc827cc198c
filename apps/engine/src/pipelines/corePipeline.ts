import type { SpanContext } from '@opentelemetry/api'
import { QueryPipeline } from '@sluice/pipeline-core'
import type {
  BatchEvent,
  PipelineConfig as CoreConfig,
  PipelineStatus,
  QueryInput,
  QueryResult,
  Strategy,
} from '@sluice/pipeline-core'
import type { PipelineConfig } from '../schemas'
import type { strategyNames } from '../schemas'

// The API's strategy list must be exactly pipeline-core's (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
export const strategiesMatch: Same<(typeof strategyNames)[number], Strategy> = true

/** A queued query's id and the promise of its one result. */
export interface QueryHandle {
  readonly id: string
  readonly result: Promise<QueryResult>
}

/** The part of `QueryPipeline` (from @sluice/pipeline-core) the engine uses. */
export interface CorePipeline {
  addQuery(
    sql: string,
    params: readonly unknown[],
    options: { callbackId?: string; wait?: boolean; callerContext?: SpanContext },
  ): Promise<QueryHandle>
  addGroup(
    queries: readonly QueryInput[],
    options: { wait?: boolean; callerContext?: SpanContext },
  ): Promise<readonly QueryHandle[]>
  flush(): Promise<unknown>
  getStatus(): PipelineStatus
  on(event: 'batch', listener: (batch: BatchEvent) => void): unknown
  configure(settings: Omit<CoreConfig, 'name' | 'connection'>): void
  pause(): void
  resume(): void
  close(): Promise<void>
}

/** The engine's stored config as pipeline-core options (results go through promises only). */
export function coreSettings(config: PipelineConfig): Omit<CoreConfig, 'name' | 'connection'> {
  return {
    batchSize: config.batchSize,
    flushIntervalMs: config.flushIntervalMs,
    strategy: config.strategy,
    maxQueueSize: config.maxQueueSize,
    maxConnections: config.maxConnections,
    retry: { ...config.retry },
    optimize: config.optimize,
    adaptiveBatchSize: config.adaptiveBatchSize.enabled
      ? {
          min: config.adaptiveBatchSize.min,
          max: config.adaptiveBatchSize.max,
          targetLatencyMs: config.adaptiveBatchSize.targetLatencyMs,
        }
      : false,
    // The engine consumes every result through its promise: keeping them for flush() would grow without bound.
    retainResults: false,
  }
}

/**
 * Builds a pipeline-core `QueryPipeline` for a named pipeline against a target's connection string.
 *
 * @example
 * const pipeline = createCorePipeline('orders', 'postgres://127.0.0.1/shop', config)
 */
export function createCorePipeline(
  name: string,
  connection: string,
  config: PipelineConfig,
): CorePipeline {
  return new QueryPipeline({ name, connection, ...coreSettings(config) })
}
