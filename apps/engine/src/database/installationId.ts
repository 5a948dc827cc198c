import type pg from 'pg'

/**
 * The id of this Sluice install: made once by migration 70 in the engine database, the same for
 * every engine on it, different for another install. It names what the install keeps outside its
 * database (the JetStream ingest stream), so two installs sharing one NATS never mix. A copy of the
 * database (a restored backup, a clone) carries the same id: give a clone its own with
 * `UPDATE sluice.installation SET id = gen_random_uuid()` before its engines start.
 *
 * @example
 * const id = await readInstallationId(pool) // '3f2a9c1e7b6d4e0f8a1b2c3d4e5f6a7b'
 */
export async function readInstallationId(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    "SELECT replace(id::text, '-', '') AS id FROM sluice.installation",
  )
  const id = rows[0]?.id
  if (id === undefined)
    throw new Error('sluice.installation has no row: the migrations did not run')
  return id
}
