import type pg from 'pg'
import { EngineError } from '../errors'
import type { PipelineConfig } from '@sluice/contract'

/** A pipeline's row in `sluice.pipelines`; `config` is raw JSON, validated by the registry. */
export interface StoredPipeline {
  readonly name: string
  readonly config: unknown
  readonly paused: boolean
  readonly createdAt: string
  readonly updatedAt: string
}

interface PipelineRow {
  name: string
  config: unknown
  paused: boolean
  created_at: Date
  updated_at: Date
}

const toStored = (row: PipelineRow): StoredPipeline => ({
  name: row.name,
  config: row.config,
  paused: row.paused,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
})

/**
 * Pipeline configurations in the engine's database, so pipelines survive a restart.
 *
 * @example
 * const store = new PipelineConfigStore(pool)
 * await store.insert('orders', config, false)
 * const all = await store.list()
 */
export class PipelineConfigStore {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  async list(): Promise<StoredPipeline[]> {
    const result = await this.#pool.query<PipelineRow>(
      'SELECT * FROM sluice.pipelines ORDER BY name',
    )
    return result.rows.map(toStored)
  }

  /** Adds a pipeline; CONFLICT when the name is taken. */
  async insert(name: string, config: PipelineConfig, paused: boolean): Promise<StoredPipeline> {
    const result = await this.#pool.query<PipelineRow>(
      `INSERT INTO sluice.pipelines (name, config, paused) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING *`,
      [name, JSON.stringify(config), paused],
    )
    const row = result.rows[0]
    if (!row) throw new EngineError('CONFLICT', `a pipeline named "${name}" exists already`)
    return toStored(row)
  }

  async update(
    name: string,
    change: { config?: PipelineConfig; paused?: boolean },
  ): Promise<StoredPipeline> {
    const result = await this.#pool.query<PipelineRow>(
      `UPDATE sluice.pipelines
       SET config = coalesce($2::jsonb, config), paused = coalesce($3, paused), updated_at = now()
       WHERE name = $1 RETURNING *`,
      [
        name,
        change.config === undefined ? null : JSON.stringify(change.config),
        change.paused ?? null,
      ],
    )
    const row = result.rows[0]
    if (!row) throw new EngineError('NOT_FOUND', `no pipeline named "${name}"`)
    return toStored(row)
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.#pool.query('DELETE FROM sluice.pipelines WHERE name = $1', [name])
    return result.rowCount === 1
  }
}
