import { z } from 'zod'
import { roleSchema } from './auth'

/*
 * The audit log: one append-only entry per change made through the engine, and per sign-in.
 */

/** Every kind of entry the audit log holds. */
export const AUDIT_ACTIONS = [
  'pipeline.create',
  'pipeline.update',
  'pipeline.delete',
  'pipeline.pause',
  'pipeline.resume',
  'pipeline.flush',
  'failures.retry',
  'failures.retryAll',
  'failures.discard',
  'failures.discardAll',
  'auth.signIn',
  'auth.signInFailed',
  'auth.signOut',
  'user.add',
  'user.remove',
  'user.setRole',
  'user.setPassword',
  'access.denied',
] as const

export const auditActionSchema = z.enum(AUDIT_ACTIONS, {
  error: `action must be one of ${AUDIT_ACTIONS.join(', ')}`,
})
export type AuditAction = z.output<typeof auditActionSchema>

/**
 * Who did it: a signed-in `user`, an API `token` (by its name), `local` (sign-in off), `cli`
 * (the users command, by the operating-system user who ran it) or `anonymous` (a failed
 * sign-in, or a call refused before anyone was known).
 */
export const auditActorSchema = z.object({
  kind: z.enum(['user', 'token', 'local', 'cli', 'anonymous']),
  name: z.string(),
})
export type AuditActor = z.output<typeof auditActorSchema>

/**
 * Most ids one entry lists for a retry-all or discard-all; beyond it the entry has the counts
 * and `idsTruncated: true`.
 */
export const MAX_AUDITED_IDS = 10_000

/** One audit entry as `audit.list` and `GET /v1/audit` return it. */
export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: auditActorSchema,
  /** The actor's role when it acted; null for anonymous and cli entries. */
  role: roleSchema.nullable(),
  /** Where the call came from: the browser's address as the console saw it, or the caller's. */
  address: z.string().nullable(),
  action: auditActionSchema,
  /** What it acted on: a pipeline or user name, a failed query id; null for bulk actions. */
  target: z.string().nullable(),
  /** What changed: before/after configs, ids and counts, the edited parameters, the reason. */
  details: z.record(z.string(), z.unknown()),
})
export type AuditEntry = z.output<typeof auditEntrySchema>

const timestampSchema = z.union(
  [z.iso.datetime({ offset: true }), z.number().int().nonnegative()],
  { error: 'time must be an ISO 8601 date-time or milliseconds since the epoch' },
)

/** Which entries `audit.list` answers, newest first. */
export const auditFilterSchema = z.object({
  /** The actor's name, exactly (a user, a token's name). */
  actor: z.string().max(200).optional(),
  action: auditActionSchema.optional(),
  /** The target, exactly (a pipeline or user name, a failed query id). */
  target: z.string().max(200).optional(),
  from: timestampSchema.optional(),
  to: timestampSchema.optional(),
})
export type AuditFilter = z.output<typeof auditFilterSchema>

/** Input of `audit.list`: a filter and a page, by the `nextCursor` of the page before. */
export const listAuditInputSchema = auditFilterSchema.extend({
  limit: z.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, { error: 'must be a nextCursor from audit.list' })
    .optional(),
})
export type ListAuditInput = z.output<typeof listAuditInputSchema>

/** Answer of `audit.list`. */
export const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  nextCursor: z.string().nullable(),
})
export type AuditPage = z.output<typeof auditPageSchema>
