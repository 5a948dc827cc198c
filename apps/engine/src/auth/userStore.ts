import type pg from 'pg'
import type { Role, UserView } from '@sluice/contract'

interface UserRow {
  name: string
  role: Role
  password_hash: string
  created_at: Date
  last_sign_in_at: Date | null
}

const toView = (row: UserRow): UserView => ({
  name: row.name,
  role: row.role,
  createdAt: row.created_at.toISOString(),
  lastSignInAt: row.last_sign_in_at?.toISOString() ?? null,
})

/**
 * Local users in `sluice.users`: name, role and argon2id password hash (never returned).
 *
 * @example
 * const users = new UserStore(pool)
 * await users.insert('alice', 'operator', await hashPassword(password))
 */
export class UserStore {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  async list(): Promise<UserView[]> {
    const result = await this.#pool.query<UserRow>('SELECT * FROM sluice.users ORDER BY name')
    return result.rows.map(toView)
  }

  async find(name: string): Promise<(UserView & { passwordHash: string }) | undefined> {
    const result = await this.#pool.query<UserRow>('SELECT * FROM sluice.users WHERE name = $1', [
      name,
    ])
    const row = result.rows[0]
    return row ? { ...toView(row), passwordHash: row.password_hash } : undefined
  }

  async count(): Promise<number> {
    const result = await this.#pool.query<{ count: string }>(
      'SELECT count(*) AS count FROM sluice.users',
    )
    return Number(result.rows[0]?.count ?? 0)
  }

  /** Adds a user; false when the name is taken. */
  async insert(name: string, role: Role, passwordHash: string): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO sluice.users (name, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
      [name, role, passwordHash],
    )
    return result.rowCount === 1
  }

  /** Removes a user and ends their sessions; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const client = await this.#pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(
        `DELETE FROM sluice.sessions WHERE user_name = $1 AND method = 'password'`,
        [name],
      )
      const result = await client.query('DELETE FROM sluice.users WHERE name = $1', [name])
      await client.query('COMMIT')
      return result.rowCount === 1
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  /** Sets a user's role (their sessions take it at once); the role before, or undefined. */
  async setRole(name: string, role: Role): Promise<Role | undefined> {
    const result = await this.#pool.query<{ before: Role }>(
      `UPDATE sluice.users u SET role = $2, updated_at = now() FROM sluice.users b
       WHERE u.name = $1 AND b.name = u.name RETURNING b.role AS before`,
      [name, role],
    )
    return result.rows[0]?.before
  }

  /** Sets a user's password and ends their sessions; false when there is no such user. */
  async setPasswordHash(name: string, passwordHash: string): Promise<boolean> {
    const result = await this.#pool.query(
      `WITH changed AS (
         UPDATE sluice.users SET password_hash = $2, updated_at = now() WHERE name = $1 RETURNING name
       ), ended AS (
         DELETE FROM sluice.sessions s USING changed WHERE s.user_name = changed.name AND s.method = 'password'
       )
       SELECT name FROM changed`,
      [name, passwordHash],
    )
    return result.rowCount === 1
  }

  async markSignedIn(name: string): Promise<void> {
    await this.#pool.query('UPDATE sluice.users SET last_sign_in_at = now() WHERE name = $1', [
      name,
    ])
  }
}
