import { z } from 'zod'
import { pipelineNameSchema } from './pipelineConfig'
import { queryErrorSchema, queryParamsSchema } from './ingest'

/**
 * Where a failed query is in its life: `failed` waits for an operator, `resolved` ran
 * successfully on a retry, `discarded` was dropped by an operator.
 */
export const failureStatusSchema = z.enum(['failed', 'resolved', 'discarded'])
export type FailureStatus = z.output<typeof failureStatusSchema>

/** A failed query's id (a decimal string: ids are 64-bit). */
export const failureIdSchema = z
  .string()
  .regex(/^[0-9]{1,19}$/, 'id must be a failed query id (digits)')

/** A time: ISO 8601 with offset, or milliseconds since the epoch. */
export const timestampSchema = z.union(
  [z.iso.datetime({ offset: true }), z.number().int().nonnegative()],
  {
    error: 'time must be an ISO 8601 date-time or milliseconds since the epoch',
  },
)

/**
 * Which failed queries a list, count, retry-all or discard-all applies to. `status` defaults to
 * `failed` (the "failing only" view); `text` searches the SQL and the error message, `params` the
 * parameters (only for callers who may see them), both as plain text, case-insensitively; with 3
 * characters or more the engine answers from trigram indexes. `callbackId` matches exactly.
 *
 * @example
 * failureFilterSchema.parse({ pipeline: 'orders', sqlstate: '23505' })
 */
export const failureFilterSchema = z.object({
  pipeline: pipelineNameSchema.optional(),
  sqlstate: z
    .string()
    .regex(/^[0-9A-Z]{5}$/, 'sqlstate must be a 5-character SQLSTATE such as 23505')
    .optional(),
  text: z.string().max(500, 'text must be at most 500 characters').optional(),
  /** Text found in the parameters (their JSON text). Refused for callers who cannot see them. */
  params: z.string().max(500, 'params must be at most 500 characters').optional(),
  callbackId: z.string().max(200, 'callbackId must be at most 200 characters').optional(),
  /** The statement shape (see insights); with `errorCode`, one failure group. */
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'fingerprint must be 16 hex digits, as failure groups list it')
    .optional(),
  /** The error's code as the group shows it: a SQLSTATE, a Sluice code, or '' for none. */
  errorCode: z.string().max(64, 'errorCode must be at most 64 characters').optional(),
  status: z.union([failureStatusSchema, z.literal('any')]).default('failed'),
  /** Last failure at or after this time. */
  from: timestampSchema.optional(),
  /** Last failure before this time. */
  to: timestampSchema.optional(),
})
export type FailureFilter = z.output<typeof failureFilterSchema>
export type FailureFilterInput = z.input<typeof failureFilterSchema>

/**
 * Input of `failures.list`: a filter and a page (newest failure first). Page with `cursor` (the
 * `nextCursor` of the page before): it neither skips nor repeats a failure when new ones arrive,
 * and costs the same at any depth. `offset` still works for the first pages.
 */
export const listFailuresInputSchema = failureFilterSchema
  .extend({
    limit: z.number().int().min(1).max(500).default(50),
    offset: z.number().int().min(0).default(0),
    cursor: z
      .string()
      .regex(/^\d{1,19}\.\d{1,19}$/, { error: 'must be a nextCursor from failures.list' })
      .optional(),
  })
  .refine((input) => input.cursor === undefined || input.offset === 0, {
    error: 'give offset or cursor, not both',
    path: ['cursor'],
  })

/** A failed query as the API returns it. */
export const failedQueryViewSchema = z.object({
  id: failureIdSchema,
  pipeline: z.string(),
  sql: z.string(),
  params: z.array(z.unknown()),
  /** How the query ended the last time it ran. */
  outcome: z.enum(['failed', 'skipped', 'rolled_back']),
  error: queryErrorSchema,
  attempts: z.number(),
  status: failureStatusSchema,
  batchId: z.string().nullable(),
  traceId: z.string().nullable(),
  callbackId: z.string().nullable(),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
  resolvedAt: z.string().nullable(),
  /**
   * Set when PostgreSQL refused this record's params as sent (e.g. a NUL byte in an object key
   * that slipped past validation): `message`/`code` are its error. With `kept`, `params` are the
   * exact params sent (stored as JSON text); without, they were lost and `params` is `[]`. Such a
   * failure is retried only with edited params.
   */
  paramsUnstorable: z
    .object({ message: z.string(), code: z.string().optional(), kept: z.boolean() })
    .optional(),
  /** Set when the caller may not see SQL parameters: `params` is then `[]`. */
  paramsHidden: z.literal(true).optional(),
})
export type FailedQueryView = z.output<typeof failedQueryViewSchema>

/**
 * Which page of failures to read: `limit` newest-first rows after `cursor` (or after `offset`
 * rows when no cursor is given).
 *
 * @example
 * const page: FailurePageRequest = { limit: 50, offset: 0, cursor: previous.nextCursor ?? undefined }
 */
export interface FailurePageRequest {
  readonly limit: number
  readonly offset: number
  readonly cursor?: string | undefined
}

/** Up to this many matches `failures.list` counts exactly; beyond it `total` is an estimate. */
export const EXACT_COUNT_LIMIT = 1_000

/** Answer of `failures.list`. */
export const failurePageSchema = z.object({
  items: z.array(failedQueryViewSchema),
  /**
   * How many failed queries match the filter: exact up to `EXACT_COUNT_LIMIT`, beyond it
   * PostgreSQL's planner estimate (`totalIsEstimate`), so a page view never counts millions.
   */
  total: z.number(),
  totalIsEstimate: z.boolean(),
  nextOffset: z.number().nullable(),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
})
export type FailurePage = z.output<typeof failurePageSchema>

/**
 * Input of `failures.retry`: the selected ids. `params` replaces the stored parameters and is
 * only allowed with exactly one id (retry with edited parameters). Each retry runs the query
 * again through its pipeline and updates the failure (resolved, or one more attempt).
 */
export const retryFailuresInputSchema = z
  .object({
    ids: z
      .array(failureIdSchema)
      .min(1, 'select at least one failed query')
      .max(1_000, 'retry at most 1000 at once'),
    params: queryParamsSchema.optional(),
    /**
     * Failures whose COMMIT answer was lost (`error.outcomeUnknown`) may have applied: they are
     * only re-run with this set, after the operator checked. `retryAll` never re-runs them.
     */
    allowOutcomeUnknown: z.boolean().default(false),
  })
  .refine((input) => input.params === undefined || input.ids.length === 1, {
    error: 'edited params can be given only when retrying a single failed query',
    path: ['params'],
  })

/** What happened to one failed query on retry. */
export const retryOutcomeSchema = z.object({
  id: failureIdSchema,
  /** `resolved`: it ran and succeeded; `failed`: it failed again (attempts went up); `not_retried`: see error. */
  outcome: z.enum(['resolved', 'failed', 'not_retried']),
  error: queryErrorSchema.optional(),
})

/** Answer of `failures.retry` and `failures.retryAll`. */
export const retryReportSchema = z.object({
  /** Failed queries the request applied to. */
  matched: z.number(),
  resolved: z.number(),
  failed: z.number(),
  notRetried: z.number(),
  /** Per query, for `retry` (empty for `retryAll`, which can touch many thousands). */
  outcomes: z.array(retryOutcomeSchema),
})
export type RetryReport = z.output<typeof retryReportSchema>

/** Input of `failures.discard`. */
export const discardFailuresInputSchema = z.object({
  ids: z.array(failureIdSchema).min(1, 'select at least one failed query').max(10_000),
})

/** Answer of `failures.discard`, `failures.discardAll` and `failures.count`. */
export const countSchema = z.object({ count: z.number() })
