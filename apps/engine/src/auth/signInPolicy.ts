import { isLoopbackHost } from '@sluice/request-origin'
import type { UserStore } from './userStore'

/** Whether sign-in is required, and why (shown on the console's sign-in page). */
export interface SignInStatus {
  readonly required: boolean
  readonly reason: string
  readonly users: number
}

/**
 * How old the count of users may get before it is read again (in the background: no request
 * waits on the database for it, so ingest keeps its speed, and keeps working while the database
 * is out of connections). The users command may add a user at any time; it counts within a second.
 */
const usersCacheMs = 1_000

/**
 * When the console needs a sign-in. Not while the engine listens on loopback, has no local
 * users, has no OpenID Connect provider and the console is opened under a loopback name: that is
 * `npm start` on a developer's machine. Anything else requires it.
 *
 * @example
 * const { required, reason } = await policy.status(browserHost)
 */
export class SignInPolicy {
  readonly #users: UserStore
  readonly #loopbackListen: boolean
  readonly #oidc: boolean
  #cached: { count: number; at: number } | undefined
  #reading: Promise<number> | undefined

  constructor(users: UserStore, facts: { loopbackListen: boolean; oidc: boolean }) {
    this.#users = users
    this.#loopbackListen = facts.loopbackListen
    this.#oidc = facts.oidc
  }

  /** Forget the cached user count (after a user is added or removed through this engine). */
  changed(): void {
    this.#cached = undefined
  }

  /** Reads the count of users once, at start, so no request waits for it. */
  async prime(): Promise<void> {
    await this.#read()
  }

  async status(browserHost: string | undefined): Promise<SignInStatus> {
    const users = await this.#userCount()
    const reasons = [
      ...(users > 0
        ? [`${users} local user${users === 1 ? '' : 's'} exist${users === 1 ? 's' : ''}`]
        : []),
      ...(this.#oidc ? ['OpenID Connect is configured'] : []),
      ...(this.#loopbackListen ? [] : ['the engine listens beyond loopback']),
      ...(browserHost !== undefined && !isLoopbackHost(browserHost)
        ? [`the console is served as ${browserHost}`]
        : []),
    ]
    return {
      required: reasons.length > 0,
      reason:
        reasons.length > 0
          ? `sign-in is required: ${reasons.join(', ')}`
          : 'sign-in is off: the engine listens on loopback only and has no users (add one with `npm run users -- add NAME --role admin`)',
      users,
    }
  }

  async #userCount(): Promise<number> {
    const cached = this.#cached
    if (cached === undefined) return this.#read()
    if (Date.now() - cached.at >= usersCacheMs) {
      // A failed read keeps the last count: the next request tries again.
      this.#read().catch(() => undefined)
    }
    return cached.count
  }

  /** One read at a time, however many requests ask. */
  #read(): Promise<number> {
    this.#reading ??= this.#users
      .count()
      .then((count) => {
        this.#cached = { count, at: Date.now() }
        return count
      })
      .finally(() => {
        this.#reading = undefined
      })
    return this.#reading
  }
}
