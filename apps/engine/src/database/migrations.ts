import type pg from 'pg'
import type { Logger } from '../logger'

/** One schema change, applied once, in order. Never edit a released migration: add a new one. */
interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'pipelines and failed queries',
    sql: `
      CREATE TABLE sluice.pipelines (
        name text PRIMARY KEY,
        config jsonb NOT NULL,
        paused boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sluice.failed_queries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        pipeline text NOT NULL,
        sql text NOT NULL,
        params jsonb NOT NULL DEFAULT '[]',
        outcome text NOT NULL CHECK (outcome IN ('failed', 'skipped', 'rolled_back')),
        error_message text NOT NULL,
        sqlstate text,
        detail text,
        outcome_unknown boolean NOT NULL DEFAULT false,
        attempts integer NOT NULL DEFAULT 1,
        status text NOT NULL DEFAULT 'failed' CHECK (status IN ('failed', 'resolved', 'discarded')),
        batch_id text,
        trace_id text,
        callback_id text,
        first_failed_at timestamptz NOT NULL DEFAULT now(),
        last_failed_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      );
      CREATE INDEX failed_queries_status_time ON sluice.failed_queries (status, last_failed_at DESC, id DESC);
      CREATE INDEX failed_queries_pipeline_time ON sluice.failed_queries (pipeline, status, last_failed_at DESC, id DESC);
    `,
  },
  {
    version: 2,
    name: 'failed queries whose params could not be stored as sent',
    sql: `
      -- Set when PostgreSQL refused the params as sent: { message, code?, kept }. With kept, params
      -- holds their exact JSON text as a jsonb string; without, params is [] (they were lost).
      ALTER TABLE sluice.failed_queries ADD COLUMN params_unstorable jsonb;
    `,
  },
  {
    version: 3,
    name: 'retry claims shared by every engine on the database',
    sql: `
      -- Set while an engine retries the failed query; a claim past its time is free again.
      ALTER TABLE sluice.failed_queries ADD COLUMN retry_claimed_until timestamptz;
    `,
  },
]

/**
 * Creates schema `sluice` and applies the migrations not applied yet, in one transaction under an
 * advisory lock (two engines starting on one database do not race).
 *
 * @example
 * await migrate(pool, log)
 */
export async function migrate(pool: pg.Pool, log: Logger): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query("SELECT pg_advisory_xact_lock(hashtext('sluice.migrations'))")
    await client.query('CREATE SCHEMA IF NOT EXISTS sluice')
    await client.query(`
      CREATE TABLE IF NOT EXISTS sluice.migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`)
    const applied = await client.query<{ version: number }>('SELECT version FROM sluice.migrations')
    const done = new Set(applied.rows.map((row) => row.version))
    for (const migration of migrations) {
      if (done.has(migration.version)) continue
      await client.query(migration.sql)
      await client.query('INSERT INTO sluice.migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ])
      log.info({ version: migration.version, migration: migration.name }, 'migration applied')
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}
