import { QueryPipeline } from '@sluice/pipeline-core'
import type { PipelineConfig, PipelineStatus, QueryResult, Strategy } from '@sluice/pipeline-core'
import { targetUrl } from '../database/benchTarget'
import type { BenchTarget } from '../database/benchTarget'
import type { Pending, QueryRunner, Row, Statement } from '../workloads/workload'

/** The Sluice settings one benchmark method uses. */
export interface SluiceSettings {
  readonly strategy: Strategy
  readonly batchSize: number
  readonly flushIntervalMs: number
  readonly maxQueueSize: number
  readonly maxConnections: number
  readonly optimize: boolean
  /** False pins the batch size (sweeps); true lets the optimizer adapt it. */
  readonly adaptiveBatchSize: boolean
}

/** The settings of the main table: tuned once for throughput, the same for every workload. */
export const DEFAULT_SLUICE_SETTINGS: Omit<SluiceSettings, 'strategy'> = {
  batchSize: 1_000,
  flushIntervalMs: 2,
  maxQueueSize: 20_000,
  maxConnections: 4,
  optimize: true,
  adaptiveBatchSize: true,
}

/** A connected Sluice runner, its pipeline's counters, and how to let it go. */
export interface SluiceRunner extends QueryRunner {
  status(): PipelineStatus
  close(): Promise<void>
}

function rowsOf(result: QueryResult): Row[] {
  if (!result.success) {
    const error = result.error
    throw new Error(
      `Sluice query ${result.status}: ${error?.message ?? 'no error given'} (${error?.code ?? 'no code'})`,
    )
  }
  return result.rows
}

/**
 * Sluice's QueryPipeline fed the naive single-row statements through `addQuery` (a group through
 * `addGroup`). Results are not retained for `flush()`: every query's promise carries its result.
 *
 * @example
 * const runner = await openSluiceRunner(target, { ...DEFAULT_SLUICE_SETTINGS, strategy: 'best_effort' })
 * const pending = await runner.submit('INSERT INTO t (id) VALUES ($1)', [1])
 * await runner.drain()
 * await pending.done
 * await runner.close()
 */
export async function openSluiceRunner(
  target: BenchTarget,
  settings: SluiceSettings,
  name = 'bench',
): Promise<SluiceRunner> {
  const config: PipelineConfig = {
    name,
    connection: targetUrl(target),
    strategy: settings.strategy,
    batchSize: settings.batchSize,
    flushIntervalMs: settings.flushIntervalMs,
    maxQueueSize: settings.maxQueueSize,
    maxConnections: settings.maxConnections,
    optimize: settings.optimize,
    retainResults: false,
    adaptiveBatchSize: settings.adaptiveBatchSize,
  }
  const pipeline = new QueryPipeline(config)
  // Open a connection (and load the parser) before the clock starts, as the other methods do.
  const warm = await pipeline.addQuery('SELECT 1', [])
  await pipeline.flush()
  rowsOf(await warm.result)
  return {
    async submit(sql: string, params: readonly unknown[]): Promise<Pending> {
      const { result } = await pipeline.addQuery(sql, [...params])
      return { done: result.then(rowsOf) }
    },
    async submitGroup(statements: readonly Statement[]): Promise<Pending> {
      const handles = await pipeline.addGroup(
        statements.map((s) => ({ sql: s.sql, params: [...s.params] })),
      )
      return {
        done: Promise.all(handles.map((h) => h.result)).then((results) => results.flatMap(rowsOf)),
      }
    },
    async drain() {
      await pipeline.flush()
    },
    status: () => pipeline.getStatus(),
    close: () => pipeline.close(),
  }
}
