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
  {
    version: 4,
    name: 'users, sessions, sign-in failures and the audit log',
    sql: `
      CREATE TABLE sluice.users (
        name text PRIMARY KEY,
        role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz
      );
      -- The session id lives only in the browser's cookie; the table keeps its SHA-256. A password
      -- session takes its user's current role; an OpenID Connect one the role its claim gave.
      CREATE TABLE sluice.sessions (
        id_hash text PRIMARY KEY,
        user_name text NOT NULL,
        method text NOT NULL CHECK (method IN ('password', 'oidc')),
        role text CHECK (role IN ('viewer', 'operator', 'admin')),
        address text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX sessions_user ON sluice.sessions (user_name);
      CREATE INDEX sessions_expiry ON sluice.sessions (expires_at);
      -- One row per failed sign-in per key ('user:<name>', 'address:<address>'), for rate limits.
      CREATE TABLE sluice.sign_in_failures (
        key text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sign_in_failures_key_time ON sluice.sign_in_failures (key, at);
      -- OpenID Connect sign-ins under way: the PKCE verifier and nonce of each state.
      CREATE TABLE sluice.oidc_logins (
        state text PRIMARY KEY,
        code_verifier text NOT NULL,
        nonce text NOT NULL,
        redirect_uri text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE sluice.audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'token', 'local', 'cli', 'anonymous')),
        actor text NOT NULL,
        role text,
        address text,
        action text NOT NULL,
        target text,
        details jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_at ON sluice.audit_log (at);
      CREATE INDEX audit_log_actor ON sluice.audit_log (actor, id DESC);
      CREATE INDEX audit_log_action ON sluice.audit_log (action, id DESC);
      CREATE INDEX audit_log_target ON sluice.audit_log (target, id DESC);
      -- Append-only: no UPDATE, no TRUNCATE, and DELETE only by the retention purge, which sets
      -- sluice.audit_purge_days for its transaction and may only remove entries older than that
      -- (at least a day).
      CREATE FUNCTION sluice.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        keep_days integer := greatest(coalesce(nullif(current_setting('sluice.audit_purge_days', true), '')::integer, 0), 0);
      BEGIN
        IF TG_OP = 'DELETE' AND keep_days >= 1 AND OLD.at < now() - make_interval(days => keep_days) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'sluice.audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $fn$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON sluice.audit_log
        FOR EACH ROW EXECUTE FUNCTION sluice.audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON sluice.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION sluice.audit_log_append_only();
    `,
  },
  {
    version: 5,
    name: 'failure search: pg_trgm where the server allows it, SQLSTATE and callback id indexes',
    sql: `
      -- Trigram indexes need pg_trgm (a contrib extension). A server without it, or a role that
      -- may not create it, still migrates: search then scans (see ensureSearchIndexes).
      DO $do$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
          BEGIN
            CREATE EXTENSION pg_trgm;
          EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'could not create extension pg_trgm: %', SQLERRM;
          END;
        END IF;
      END
      $do$;
      CREATE INDEX failed_queries_sqlstate_time ON sluice.failed_queries (sqlstate, last_failed_at DESC, id DESC);
      CREATE INDEX failed_queries_callback_time ON sluice.failed_queries (callback_id, last_failed_at DESC, id DESC)
        WHERE callback_id IS NOT NULL;
    `,
  },
  {
    version: 40,
    name: 'cluster: pipeline revisions, the halted state, and a notification on every change',
    sql: `
      -- revision: bumped by every change, so an engine applies each change once (its own too).
      -- halted: { code, message } of the failure that halted a sequential pipeline, until resumed.
      ALTER TABLE sluice.pipelines
        ADD COLUMN revision bigint NOT NULL DEFAULT 1,
        ADD COLUMN halted jsonb;
      -- Every change, whoever makes it, reaches every engine listening on this database at commit.
      CREATE FUNCTION sluice.pipelines_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        changed sluice.pipelines;
      BEGIN
        IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
        PERFORM pg_notify('sluice_pipelines', json_build_object(
          'name', changed.name,
          'revision', CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE changed.revision END
        )::text);
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER pipelines_notify AFTER INSERT OR UPDATE OR DELETE ON sluice.pipelines
        FOR EACH ROW EXECUTE FUNCTION sluice.pipelines_notify();
    `,
  },
  {
    version: 41,
    name: 'cluster: the engines on this database and the cluster id',
    sql: `
      -- One row per live engine; a row whose heartbeat stopped is dropped by the others.
      CREATE TABLE sluice.engines (
        id text PRIMARY KEY,
        url text NOT NULL,
        version text NOT NULL,
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        -- what it runs and its load, as of its last heartbeat
        load jsonb NOT NULL DEFAULT '{}'
      );
      -- Names this cluster on a NATS shared with others (subjects carry it).
      CREATE TABLE sluice.cluster (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        id text NOT NULL
      );
      INSERT INTO sluice.cluster (id) VALUES (replace(gen_random_uuid()::text, '-', ''));
    `,
  },
  {
    version: 42,
    name: 'cluster: metrics samples shared through the database when there is no NATS',
    sql: `
      -- Each engine's per-second samples for the others to read; kept a few minutes only.
      CREATE TABLE sluice.cluster_metric_ticks (
        engine_id text NOT NULL,
        at bigint NOT NULL,
        samples jsonb NOT NULL,
        PRIMARY KEY (engine_id, at)
      );
      CREATE INDEX cluster_metric_ticks_at ON sluice.cluster_metric_ticks (at);
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
    // Created only when missing: a role given a ready schema need not be allowed to create one.
    const schema = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = 'sluice'")
    if (schema.rowCount === 0) await client.query('CREATE SCHEMA sluice')
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
