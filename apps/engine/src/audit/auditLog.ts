import type pg from 'pg'
import type {
  AuditAction,
  AuditActor,
  AuditEntry,
  AuditPage,
  ListAuditInput,
  Role,
} from '@sluice/contract'
import type { Logger } from '../logger'
import type { Caller } from '../auth/caller'

/** What one audit entry records; `at` and `id` come from the database. */
export interface NewAuditEntry {
  readonly actor: AuditActor
  readonly role: Role | null
  readonly address: string | null
  readonly action: AuditAction
  readonly target?: string | null | undefined
  readonly details?: Record<string, unknown>
}

interface AuditRow {
  id: string
  at: Date
  actor_kind: AuditActor['kind']
  actor: string
  role: Role | null
  address: string | null
  action: AuditAction
  target: string | null
  details: Record<string, unknown>
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at.toISOString(),
  actor: { kind: row.actor_kind, name: row.actor },
  role: row.role,
  address: row.address,
  action: row.action,
  target: row.target,
  details: row.details,
})

/** The actor, role and address fields of an entry made by `caller`. */
export function actorOf(caller: Caller): Pick<NewAuditEntry, 'actor' | 'role' | 'address'> {
  return {
    actor: { kind: caller.kind, name: caller.name },
    role: caller.role,
    address: caller.address,
  }
}

/*
 * JSON text of the details; bigint (never expected) as a string rather than a throw: an entry is
 * written after the change it records, and must not fail on its form.
 */
const detailsJson = (details: Record<string, unknown> | undefined): string =>
  JSON.stringify(details ?? {}, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  )

/**
 * The append-only audit log in `sluice.audit_log` (a trigger refuses UPDATE, TRUNCATE and any
 * DELETE but the retention purge's). Entries are written after the change they record; one that
 * cannot be written is logged at error level with its content, and the change stands.
 *
 * @example
 * await audit.record({ ...actorOf(caller), action: 'pipeline.pause', target: 'orders' })
 * const page = await audit.list({ actor: 'alice', limit: 50 })
 */
export class AuditLog {
  readonly #pool: pg.Pool
  readonly #log: Logger

  constructor(pool: pg.Pool, log: Logger) {
    this.#pool = pool
    this.#log = log
  }

  async record(entry: NewAuditEntry): Promise<void> {
    try {
      await this.#pool.query(
        `INSERT INTO sluice.audit_log (actor_kind, actor, role, address, action, target, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
        [
          entry.actor.kind,
          entry.actor.name,
          entry.role,
          entry.address,
          entry.action,
          entry.target ?? null,
          detailsJson(entry.details),
        ],
      )
    } catch (error) {
      this.#log.error({ err: error, audit: entry }, 'could not write an audit entry')
    }
  }

  /** Entries matching the filter, newest first, `limit` after `cursor`. */
  async list(input: ListAuditInput): Promise<AuditPage> {
    const conditions: string[] = []
    const values: unknown[] = []
    const at = (value: unknown): string => {
      values.push(value)
      return `$${values.length}`
    }
    if (input.actor !== undefined && input.actor !== '')
      conditions.push(`actor = ${at(input.actor)}`)
    if (input.action !== undefined) conditions.push(`action = ${at(input.action)}`)
    if (input.target !== undefined && input.target !== '')
      conditions.push(`target = ${at(input.target)}`)
    if (input.from !== undefined) conditions.push(`at >= ${at(new Date(input.from))}`)
    if (input.to !== undefined) conditions.push(`at < ${at(new Date(input.to))}`)
    if (input.cursor !== undefined) conditions.push(`id < ${at(input.cursor)}::bigint`)
    const where = conditions.length > 0 ? conditions.join(' AND ') : 'true'
    const result = await this.#pool.query<AuditRow>(
      `SELECT id::text AS id, at, actor_kind, actor, role, address, action, target, details
       FROM sluice.audit_log WHERE ${where} ORDER BY id DESC LIMIT ${at(input.limit + 1)}`,
      values,
    )
    const shown = result.rows.slice(0, input.limit)
    const last = shown[shown.length - 1]
    return {
      items: shown.map(toEntry),
      nextCursor: result.rows.length > input.limit && last ? last.id : null,
    }
  }

  /** Deletes entries older than `retentionDays` (the one DELETE the table's trigger lets through). */
  async purge(retentionDays: number): Promise<number> {
    const client = await this.#pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(`SELECT set_config('sluice.audit_purge_days', $1, true)`, [
        String(retentionDays),
      ])
      const result = await client.query(
        'DELETE FROM sluice.audit_log WHERE at < now() - make_interval(days => $1)',
        [retentionDays],
      )
      await client.query('COMMIT')
      return result.rowCount ?? 0
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }
}
