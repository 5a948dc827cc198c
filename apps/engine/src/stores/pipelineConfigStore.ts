import type pg from 'pg'
import { EngineError } from '../errors'
import type { PipelineConfig } from '@sluice/contract'

/** Why a `sequential` pipeline halted: the failure that stopped it, until it is resumed. */
export interface HaltReason {
  readonly code?: string | undefined
  readonly message: string
}

/**
 * A pipeline's row in `sluice.pipelines`; `config` is raw JSON, validated by the registry.
 * `revision` grows with every change: an engine applies a row only when it is newer than what it
 * runs, so each change is applied once wherever it came from.
 */
export interface StoredPipeline {
  readonly name: string
  readonly config: unknown
  readonly paused: boolean
  readonly halted: HaltReason | null
  readonly revision: number
  readonly createdAt: string
  readonly updatedAt: string
}

interface PipelineRow {
  name: string
  config: unknown
  paused: boolean
  halted: HaltReason | null
  revision: string
  created_at: Date
  updated_at: Date
}

const toStored = (row: PipelineRow): StoredPipeline => ({
  name: row.name,
  config: row.config,
  paused: row.paused,
  halted: row.halted,
  revision: Number(row.revision),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
})

const notFound = (name: string): EngineError =>
  new EngineError('NOT_FOUND', `no pipeline named "${name}"`)

/**
 * Pipeline configurations in the engine's database: the one source every engine on it runs
 * from. A trigger notifies channel `sluice_pipelines` of each change (see `ConfigSync`).
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

  /** The row as stored now, or undefined once deleted. */
  async get(name: string): Promise<StoredPipeline | undefined> {
    const result = await this.#pool.query<PipelineRow>(
      'SELECT * FROM sluice.pipelines WHERE name = $1',
      [name],
    )
    const row = result.rows[0]
    return row ? toStored(row) : undefined
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

  /**
   * Replaces the config with `next(stored config)`, under a row lock: two engines editing one
   * pipeline at once each patch the other's result, never a stale copy. `next` may throw to
   * leave the row as it was.
   */
  async updateConfig(
    name: string,
    next: (stored: unknown) => PipelineConfig,
  ): Promise<StoredPipeline> {
    const client = await this.#pool.connect()
    try {
      await client.query('BEGIN')
      const current = await client.query<{ config: unknown }>(
        'SELECT config FROM sluice.pipelines WHERE name = $1 FOR UPDATE',
        [name],
      )
      const row = current.rows[0]
      if (!row) throw notFound(name)
      const config = next(row.config)
      const result = await client.query<PipelineRow>(
        `UPDATE sluice.pipelines SET config = $2, revision = revision + 1, updated_at = now()
         WHERE name = $1 RETURNING *`,
        [name, JSON.stringify(config)],
      )
      await client.query('COMMIT')
      return toStored(result.rows[0] as PipelineRow)
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  /** Pauses (`true`) or resumes (`false`); resuming also clears a halt. */
  async setPaused(name: string, paused: boolean): Promise<StoredPipeline> {
    const result = await this.#pool.query<PipelineRow>(
      `UPDATE sluice.pipelines
       SET paused = $2, halted = CASE WHEN $2 THEN halted END, revision = revision + 1,
           updated_at = now()
       WHERE name = $1 RETURNING *`,
      [name, paused],
    )
    const row = result.rows[0]
    if (!row) throw notFound(name)
    return toStored(row)
  }

  /**
   * Records that the pipeline halted, unless it is halted already (the first halt's reason
   * stays). Answers the row as it is now, undefined if the pipeline was deleted meanwhile.
   */
  async markHalted(name: string, reason: HaltReason): Promise<StoredPipeline | undefined> {
    const result = await this.#pool.query<PipelineRow>(
      `UPDATE sluice.pipelines SET halted = $2, revision = revision + 1, updated_at = now()
       WHERE name = $1 AND halted IS NULL RETURNING *`,
      [name, JSON.stringify({ code: reason.code, message: reason.message })],
    )
    const row = result.rows[0]
    return row ? toStored(row) : this.get(name)
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.#pool.query('DELETE FROM sluice.pipelines WHERE name = $1', [name])
    return result.rowCount === 1
  }
}
