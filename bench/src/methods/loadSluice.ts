import type { PipelineConfig, PipelineStatus, QueryInput, QueryResult } from '@sluice/pipeline-core'

/** The part of QueryPipeline's API (issue 2) the benchmark drives. */
export interface QueryPipelineLike {
  addQuery(sql: string, params?: unknown[]): Promise<{ id: string; result: Promise<QueryResult> }>
  addGroup(queries: QueryInput[]): Promise<{ id: string; result: Promise<QueryResult> }[]>
  flush(): Promise<QueryResult[]>
  getStatus(): PipelineStatus
  close(): Promise<void>
}

/** QueryPipeline's constructor. */
export type QueryPipelineClass = new (config: PipelineConfig) => QueryPipelineLike

let loaded: QueryPipelineClass | undefined

/**
 * Loads QueryPipeline from @sluice/pipeline-core, or throws a clear error when the package does
 * not export it (yet), so the baselines still run.
 *
 * @example
 * const QueryPipeline = await loadQueryPipeline()
 */
export async function loadQueryPipeline(): Promise<QueryPipelineClass> {
  if (loaded) return loaded
  const core = (await import('@sluice/pipeline-core')) as unknown as { QueryPipeline?: QueryPipelineClass }
  if (typeof core.QueryPipeline !== 'function') {
    throw new Error('@sluice/pipeline-core does not export QueryPipeline (yet)')
  }
  loaded = core.QueryPipeline
  return loaded
}

/** Whether QueryPipeline can be loaded. */
export async function sluiceAvailable(): Promise<boolean> {
  try {
    await loadQueryPipeline()
    return true
  } catch {
    return false
  }
}
