import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { IngestResponse } from '@sluice/contract'

/** Where a keyed request stands when a caller claims it. */
export type Claim =
  /** Nobody ran it (or its old answer expired): this caller runs it, as run `runId`. */
  | { readonly kind: 'run'; readonly runId: string; readonly recovering: false }
  /**
   * A run whose engine stopped renewing its lease (it crashed): this caller takes it over. Some
   * of its writes may have committed: the target's ledger says which.
   */
  | { readonly kind: 'run'; readonly runId: string; readonly recovering: true }
  | { readonly kind: 'done'; readonly answer: IngestResponse }
  /** Another engine runs it now, its lease still live. */
  | { readonly kind: 'running' }
  /** The key was used with another body. */
  | { readonly kind: 'other_body' }

interface RequestRow {
  body_hash: string
  run_id: string
  state: 'running' | 'done'
  answer: IngestResponse | null
  lease_live: boolean
}

/**
 * Table `sluice.idempotent_requests` in the engine's database: one row per (pipeline, key) with
 * the body's hash, the run's lease and, once done, its answer, kept until `expires_at`.
 *
 * @example
 * const claim = await store.claim('orders', 'key-1', hash, engineId, { leaseMs: 10_000, retentionMs })
 * if (claim.kind === 'run') await store.finish('orders', 'key-1', claim.runId, answer, false)
 */
export class IdempotentRequestStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Claims the key for `owner`, or says why not (done, running elsewhere, other body). */
  async claim(
    pipeline: string,
    key: string,
    bodyHash: string,
    owner: string,
    times: { readonly leaseMs: number; readonly retentionMs: number },
  ): Promise<Claim> {
    const runId = randomUUID()
    // A new key, or one whose answer outlived its retention: a fresh run.
    const inserted = await this.pool.query(
      `INSERT INTO sluice.idempotent_requests AS r
         (pipeline, key, body_hash, run_id, state, lease_owner, lease_expires_at, expires_at)
       VALUES ($1, $2, $3, $4, 'running', $5, now() + make_interval(secs => $6 / 1000.0),
               now() + make_interval(secs => $7 / 1000.0))
       ON CONFLICT (pipeline, key) DO UPDATE
         SET body_hash = EXCLUDED.body_hash, run_id = EXCLUDED.run_id, state = 'running',
             answer = NULL, rows_omitted = false, lease_owner = EXCLUDED.lease_owner,
             lease_expires_at = EXCLUDED.lease_expires_at, created_at = now(),
             expires_at = EXCLUDED.expires_at
         WHERE r.expires_at < now()
       RETURNING run_id`,
      [pipeline, key, bodyHash, runId, owner, times.leaseMs, times.retentionMs],
    )
    if (inserted.rowCount === 1) return { kind: 'run', runId, recovering: false }
    const found = await this.pool.query<RequestRow>(
      `SELECT body_hash, run_id, state, answer, lease_expires_at > now() AS lease_live
         FROM sluice.idempotent_requests WHERE pipeline = $1 AND key = $2`,
      [pipeline, key],
    )
    const row = found.rows[0]
    // Purged between the two statements: try again as new.
    if (!row) return this.claim(pipeline, key, bodyHash, owner, times)
    if (row.body_hash !== bodyHash) return { kind: 'other_body' }
    if (row.state === 'done' && row.answer) return { kind: 'done', answer: row.answer }
    if (row.lease_live) return { kind: 'running' }
    const taken = await this.pool.query(
      `UPDATE sluice.idempotent_requests
          SET lease_owner = $3, lease_expires_at = now() + make_interval(secs => $4 / 1000.0)
        WHERE pipeline = $1 AND key = $2 AND run_id = $5 AND state = 'running'
          AND lease_expires_at <= now()`,
      [pipeline, key, owner, times.leaseMs, row.run_id],
    )
    if (taken.rowCount === 1) return { kind: 'run', runId: row.run_id, recovering: true }
    return { kind: 'running' }
  }

  /** Extends `owner`'s lease on a run; false when it is no longer its own. */
  async renew(pipeline: string, key: string, runId: string, owner: string, leaseMs: number) {
    const renewed = await this.pool.query(
      `UPDATE sluice.idempotent_requests
          SET lease_expires_at = now() + make_interval(secs => $5 / 1000.0)
        WHERE pipeline = $1 AND key = $2 AND run_id = $3 AND lease_owner = $4
          AND state = 'running'`,
      [pipeline, key, runId, owner, leaseMs],
    )
    return renewed.rowCount === 1
  }

  /** Stores the run's answer (`rowsOmitted`: without rows, it was too large). */
  async finish(
    pipeline: string,
    key: string,
    runId: string,
    answerJson: string,
    rowsOmitted: boolean,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE sluice.idempotent_requests
          SET state = 'done', answer = $4::json, rows_omitted = $5, lease_owner = NULL,
              lease_expires_at = NULL
        WHERE pipeline = $1 AND key = $2 AND run_id = $3`,
      [pipeline, key, runId, answerJson, rowsOmitted],
    )
  }

  /** Forgets a run that queued nothing (the pipeline refused it): the key is free again. */
  async release(pipeline: string, key: string, runId: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM sluice.idempotent_requests
        WHERE pipeline = $1 AND key = $2 AND run_id = $3 AND state = 'running'`,
      [pipeline, key, runId],
    )
  }

  /** Deletes the rows past their retention whose run is over (done, or its lease expired). */
  async purgeExpired(): Promise<number> {
    const purged = await this.pool.query(
      `DELETE FROM sluice.idempotent_requests
        WHERE expires_at < now()
          AND (state = 'done' OR lease_expires_at IS NULL OR lease_expires_at < now())`,
    )
    return purged.rowCount ?? 0
  }
}
