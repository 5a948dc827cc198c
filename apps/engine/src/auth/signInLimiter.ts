import type pg from 'pg'
import { SIGN_IN_LIMITS } from '@sluice/contract'
import { EngineError } from '../errors'

/**
 * Rate limits on failed sign-ins, counted in `sluice.sign_in_failures`, so every engine on the
 * database shares them: `SIGN_IN_LIMITS.perUser` failures for one user name, or `perAddress` from
 * one address, within `windowMinutes` refuse further attempts (RATE_LIMITED with Retry-After)
 * until the oldest of them ages out. Attempts on one user name are checked one at a time (an
 * advisory lock), so a burst of parallel guesses cannot slip past the count.
 *
 * @example
 * const ok = await limiter.attempt(user, address, () => verifyPassword(hash, password))
 */
export class SignInLimiter {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  /**
   * Runs `check` unless a limit is reached (then throws RATE_LIMITED without running it); a false
   * answer counts as one failure for the user and the address, a true one clears the user's.
   */
  async attempt(
    user: string,
    address: string | null,
    check: () => Promise<boolean>,
  ): Promise<boolean> {
    const keys = [`user:${user.toLowerCase()}`, ...(address === null ? [] : [`address:${address}`])]
    const client = await this.#pool.connect()
    try {
      await client.query('BEGIN')
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [keys[0]])
      const window = SIGN_IN_LIMITS.windowMinutes
      const counts = await client.query<{ key: string; failures: string; retry_after: string }>(
        `SELECT key, count(*) AS failures,
           ceil(extract(epoch FROM min(at) + make_interval(mins => $2) - now()))::int AS retry_after
         FROM sluice.sign_in_failures WHERE key = ANY($1) AND at > now() - make_interval(mins => $2)
         GROUP BY key`,
        [keys, window],
      )
      for (const row of counts.rows) {
        const limit = row.key.startsWith('user:')
          ? SIGN_IN_LIMITS.perUser
          : SIGN_IN_LIMITS.perAddress
        if (Number(row.failures) >= limit) {
          const minutes = Math.max(1, Math.ceil(Number(row.retry_after) / 60))
          throw new EngineError(
            'RATE_LIMITED',
            `too many failed sign-ins ${row.key.startsWith('user:') ? 'for this user' : 'from this address'}: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
            { retryAfterSeconds: Math.max(1, Number(row.retry_after)) },
          )
        }
      }
      const ok = await check()
      if (ok) {
        await client.query('DELETE FROM sluice.sign_in_failures WHERE key = $1', [keys[0]])
      } else {
        await client.query('INSERT INTO sluice.sign_in_failures (key) SELECT unnest($1::text[])', [
          keys,
        ])
      }
      await client.query('COMMIT')
      return ok
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  /** Drops failures older than the window. */
  async purgeOld(): Promise<void> {
    await this.#pool.query(
      'DELETE FROM sluice.sign_in_failures WHERE at <= now() - make_interval(mins => $1)',
      [SIGN_IN_LIMITS.windowMinutes],
    )
  }
}
