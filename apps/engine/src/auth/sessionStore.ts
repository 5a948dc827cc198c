import { createHash, randomBytes } from 'node:crypto'
import type pg from 'pg'
import type { Role } from '@sluice/contract'

/** A live session as the caller resolver sees it. */
export interface SessionRecord {
  readonly user: string
  readonly role: Role
  readonly method: 'password' | 'oidc'
  readonly idHash: string
}

/** SHA-256 of a session id, as the table keys it. */
export const sessionHash = (id: string): string => createHash('sha256').update(id).digest('hex')

/**
 * Sessions in `sluice.sessions`, keyed by the SHA-256 of their id: the id itself (32 random
 * bytes) exists only in the browser's cookie, so reading the table gives no one a session. A
 * password session takes its user's role as it is now (a role change applies at once; a removed
 * user's sessions end); an OpenID Connect session keeps the role its claim gave at sign-in.
 *
 * @example
 * const { id } = await sessions.create({ user: 'alice', method: 'password', role: null, address, hours: 12 })
 * await sessions.resolve(id) // { user: 'alice', role: 'operator', ... }
 */
export class SessionStore {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  async create(session: {
    user: string
    method: 'password' | 'oidc'
    /** For OpenID Connect; password sessions read the user's role. */
    role: Role | null
    address: string | null
    hours: number
  }): Promise<{ id: string; expiresAt: Date }> {
    const id = randomBytes(32).toString('base64url')
    const result = await this.#pool.query<{ expires_at: Date }>(
      `INSERT INTO sluice.sessions (id_hash, user_name, method, role, address, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6)) RETURNING expires_at`,
      [sessionHash(id), session.user, session.method, session.role, session.address, session.hours],
    )
    const expiresAt = result.rows[0]?.expires_at
    if (!expiresAt) throw new Error('session was not stored')
    return { id, expiresAt }
  }

  /** The live session with this id, or undefined (unknown, expired, or its user was removed). */
  async resolve(id: string): Promise<SessionRecord | undefined> {
    const result = await this.#pool.query<{
      user_name: string
      role: Role
      method: 'password' | 'oidc'
      id_hash: string
    }>(
      `SELECT s.id_hash, s.user_name, s.method, coalesce(u.role, s.role) AS role
       FROM sluice.sessions s LEFT JOIN sluice.users u ON s.method = 'password' AND u.name = s.user_name
       WHERE s.id_hash = $1 AND s.expires_at > now() AND (s.method = 'oidc' OR u.name IS NOT NULL)`,
      [sessionHash(id)],
    )
    const row = result.rows[0]
    return row
      ? { user: row.user_name, role: row.role, method: row.method, idHash: row.id_hash }
      : undefined
  }

  /** Ends a session (sign-out, or the old one at sign-in: the id is rotated). */
  async remove(id: string): Promise<{ user: string } | undefined> {
    const result = await this.#pool.query<{ user_name: string }>(
      'DELETE FROM sluice.sessions WHERE id_hash = $1 RETURNING user_name',
      [sessionHash(id)],
    )
    const row = result.rows[0]
    return row ? { user: row.user_name } : undefined
  }

  /** Drops expired sessions. */
  async purgeExpired(): Promise<number> {
    const result = await this.#pool.query('DELETE FROM sluice.sessions WHERE expires_at <= now()')
    return result.rowCount ?? 0
  }
}
