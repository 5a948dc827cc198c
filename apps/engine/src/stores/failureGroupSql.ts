/*
 * Keeping `sluice.failure_groups.open_count` right in the same statement that changes
 * `sluice.failed_queries`, so listing groups never counts the failures table. Each statement
 * ends in a CTE named `delta` with columns (pipeline, fingerprint, code, n, at, sql, message,
 * detail): n is +1 for a failure that is now open in that group and -1 for one that no longer is
 * (resolved, discarded, or moved to another code by a retry). Groups are written in key order,
 * so two engines' statements touching the same groups wait for each other instead of deadlocking.
 */

/** Adds a statement's `delta` rows into their groups. */
export const applyGroupDelta = `
  INSERT INTO sluice.failure_groups AS g (pipeline, fingerprint, error_code, open_count, first_seen,
    last_seen, sample_sql, sample_message, sample_detail)
  SELECT pipeline, fingerprint, code, sum(n), coalesce(min(at), now()), coalesce(max(at), now()),
    coalesce(min(sql), ''), coalesce(min(message), ''), min(detail)
  FROM delta GROUP BY pipeline, fingerprint, code ORDER BY pipeline, fingerprint, code
  ON CONFLICT (pipeline, fingerprint, error_code) DO UPDATE SET
    open_count = g.open_count + excluded.open_count,
    first_seen = CASE WHEN excluded.sample_sql = '' THEN g.first_seen
      ELSE least(g.first_seen, excluded.first_seen) END,
    last_seen = CASE WHEN excluded.sample_sql = '' THEN g.last_seen
      ELSE greatest(g.last_seen, excluded.last_seen) END,
    sample_sql = CASE WHEN excluded.sample_sql = '' THEN g.sample_sql ELSE excluded.sample_sql END,
    sample_message = CASE WHEN excluded.sample_sql = '' THEN g.sample_message
      ELSE excluded.sample_message END,
    sample_detail = CASE WHEN excluded.sample_sql = '' THEN g.sample_detail
      ELSE excluded.sample_detail END`

/**
 * The `delta` of an UPDATE of failed queries whose CTE `changed` returns each row's new
 * (pipeline, fingerprint, error_code, status, sql, error_message, detail, last_failed_at) and its
 * old (old_fingerprint, old_code, old_status), as selected FOR UPDATE before it.
 */
export const changedDelta = `
  delta AS (
    SELECT pipeline, old_fingerprint AS fingerprint, coalesce(old_code, '') AS code, -1 AS n,
      NULL::timestamptz AS at, NULL::text AS sql, NULL::text AS message, NULL::text AS detail
    FROM changed WHERE old_status = 'failed' AND old_fingerprint IS NOT NULL
    UNION ALL
    SELECT pipeline, fingerprint, coalesce(error_code, ''), 1, last_failed_at, sql, error_message, detail
    FROM changed WHERE status = 'failed' AND fingerprint IS NOT NULL
  )`

/**
 * An UPDATE of `sluice.failed_queries` (`set`, on the rows `where` picks, `f` being the table)
 * that keeps the groups right; `$n` parameters are the caller's. Answers the changed ids.
 */
export function updateWithGroups(set: string, where: string): string {
  return `
    WITH before AS (
      SELECT id, fingerprint, error_code, status FROM sluice.failed_queries f WHERE ${where}
      ORDER BY id FOR UPDATE
    ), changed AS (
      UPDATE sluice.failed_queries f SET ${set} FROM before b WHERE f.id = b.id
      RETURNING f.id, f.pipeline, f.fingerprint, f.error_code, f.status, f.sql, f.error_message,
        f.detail, f.last_failed_at, b.fingerprint AS old_fingerprint, b.error_code AS old_code,
        b.status AS old_status
    ), ${changedDelta}, grouped AS (${applyGroupDelta} RETURNING 1)
    SELECT id::text AS id FROM changed`
}
