import {
  addUserInputSchema,
  passwordSchema,
  roleSchema,
  userNameSchema,
  type Role,
  type UserView,
} from '@sluice/contract'
import type { z } from 'zod'
import type { AuditLog, NewAuditEntry } from '../audit/auditLog'
import { EngineError } from '../errors'
import { describeZodError } from '../trpc/zodMessages'
import { hashPassword } from './passwords'
import type { UserStore } from './userStore'

/** Who makes a user change, as the audit log records it. */
export type UserChangeActor = Pick<NewAuditEntry, 'actor' | 'role' | 'address'>

const checked = <T>(schema: z.ZodType<T>, value: unknown): T => {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new EngineError('INVALID_INPUT', describeZodError(parsed.error))
  return parsed.data
}

/**
 * Adding, removing and changing local users, each audited: the one path for the users command
 * and the admins' `users.*` procedures. Passwords are hashed with argon2id and never stored or
 * logged otherwise.
 *
 * @example
 * await admin.add(actor, { name: 'alice', role: 'operator', password })
 */
export class UserAdmin {
  readonly #users: UserStore
  readonly #audit: AuditLog
  readonly #changed: () => void

  /** `changed` runs after every change (the sign-in policy re-counts users). */
  constructor(users: UserStore, audit: AuditLog, changed: () => void = () => undefined) {
    this.#users = users
    this.#audit = audit
    this.#changed = changed
  }

  list(): Promise<UserView[]> {
    return this.#users.list()
  }

  async add(
    actor: UserChangeActor,
    input: { name: string; role: Role; password: string },
  ): Promise<UserView> {
    const user = checked(addUserInputSchema, input)
    if (!(await this.#users.insert(user.name, user.role, await hashPassword(user.password)))) {
      throw new EngineError('CONFLICT', `a user named "${user.name}" exists already`)
    }
    this.#changed()
    await this.#audit.record({
      ...actor,
      action: 'user.add',
      target: user.name,
      details: { role: user.role },
    })
    const added = await this.#users.find(user.name)
    if (!added) throw new EngineError('NOT_FOUND', `user "${user.name}" disappeared`)
    const { passwordHash: _hidden, ...view } = added
    return view
  }

  async remove(actor: UserChangeActor, name: string): Promise<void> {
    const user = checked(userNameSchema, name)
    const before = await this.#users.find(user)
    if (!before || !(await this.#users.remove(user)))
      throw new EngineError('NOT_FOUND', `no user named "${user}"`)
    this.#changed()
    await this.#audit.record({
      ...actor,
      action: 'user.remove',
      target: user,
      details: { role: before.role },
    })
  }

  async setRole(actor: UserChangeActor, name: string, role: Role): Promise<void> {
    const user = checked(userNameSchema, name)
    const next = checked(roleSchema, role)
    const before = await this.#users.setRole(user, next)
    if (before === undefined) throw new EngineError('NOT_FOUND', `no user named "${user}"`)
    await this.#audit.record({
      ...actor,
      action: 'user.setRole',
      target: user,
      details: { before, after: next },
    })
  }

  async setPassword(actor: UserChangeActor, name: string, password: string): Promise<void> {
    const user = checked(userNameSchema, name)
    const hash = await hashPassword(checked(passwordSchema, password))
    if (!(await this.#users.setPasswordHash(user, hash)))
      throw new EngineError('NOT_FOUND', `no user named "${user}"`)
    await this.#audit.record({
      ...actor,
      action: 'user.setPassword',
      target: user,
      details: { sessionsEnded: true },
    })
  }
}
