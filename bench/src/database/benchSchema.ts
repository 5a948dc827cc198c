import { createTestSchema } from '@sluice/test-database'
import type pg from 'pg'
import { targetFromUrl } from './benchTarget'
import type { BenchTarget } from './benchTarget'

/** A schema of one workload's own, with a direct pool for untimed set-up and checks. */
export interface BenchSchema {
  readonly target: BenchTarget
  /** Direct connections (never through the delay proxy), search_path set. */
  readonly pool: pg.Pool
  drop(): Promise<void>
}

/**
 * Creates a fresh schema for a workload on the server at `serverUrl`; `drop()` removes it.
 *
 * @example
 * const schema = await createBenchSchema(url, 'bulk_insert')
 * await schema.pool.query('CREATE TABLE t (id int)')
 * await schema.drop()
 */
export async function createBenchSchema(serverUrl: string, label: string): Promise<BenchSchema> {
  const schema = await createTestSchema(`bench_${label}`, serverUrl)
  return {
    target: targetFromUrl(serverUrl, schema.name),
    pool: schema.pool,
    drop: () => schema.drop(),
  }
}
