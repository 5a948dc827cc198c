import { createTestSchema } from '@sluice/test-database'
import type { TestSchema } from '@sluice/test-database'
import { QueryPipeline } from '../pipeline/queryPipeline'
import type { PipelineConfig } from '../types'

/** A test schema and the pipelines a test opened on it, closed and dropped together. */
export interface PipelineFixture {
  readonly schema: TestSchema
  open(
    config: Omit<PipelineConfig, 'name' | 'connection'> &
      Partial<Pick<PipelineConfig, 'name' | 'connection'>>,
  ): QueryPipeline
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  /** The `count` column of a `SELECT count(*)::int AS count ...` query. */
  count(sql: string, params?: unknown[]): Promise<number>
  /**
   * A statement that blocks until `release()`: the test holds an advisory lock the statement
   * waits for. It keeps a batch in flight so that later queries stay queued.
   */
  blocker(): Promise<{ readonly sql: string; release(): Promise<void> }>
  dispose(): Promise<void>
}

let nextLock = Math.floor(Math.random() * 1_000_000)

/** Creates a schema of the test's own; `open` makes pipelines on it. For tests only. */
export async function createPipelineFixture(label: string): Promise<PipelineFixture> {
  const schema = await createTestSchema(label)
  const opened: QueryPipeline[] = []
  return {
    schema,
    open(config) {
      const pipeline = new QueryPipeline({
        name: `${label}-${opened.length}`,
        connection: schema.url,
        ...config,
      })
      opened.push(pipeline)
      return pipeline
    },
    async rows<T>(sql: string, params: unknown[] = []) {
      const result = await schema.pool.query(sql, params)
      return result.rows as T[]
    },
    async count(sql: string, params: unknown[] = []) {
      const result = await schema.pool.query<{ count: number }>(sql, params)
      const count = result.rows[0]?.count
      if (typeof count !== 'number') throw new Error(`no integer count from: ${sql}`)
      return count
    },
    async blocker() {
      const key = nextLock++
      const holder = await schema.pool.connect()
      await holder.query('SELECT pg_advisory_lock($1)', [key])
      let released = false
      return {
        sql: `SELECT pg_advisory_xact_lock(${String(key)})`,
        async release() {
          if (released) return
          released = true
          await holder.query('SELECT pg_advisory_unlock($1)', [key])
          holder.release()
        },
      }
    },
    async dispose() {
      await Promise.all(opened.map((pipeline) => pipeline.close().catch(() => undefined)))
      await schema.drop()
    },
  }
}
