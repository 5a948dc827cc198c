import { z } from 'zod'
import {
  MAX_CALLBACK_ID_LENGTH,
  MAX_PARAMETERS,
  MAX_QUERIES_PER_REQUEST,
  MAX_SQL_LENGTH,
} from './limits'
import { paramProblem, textProblem } from './paramChecks'

/*
 * One parameter, checked by `paramProblem` rather than `z.json()`: zod's recursive JSON schema
 * overflows the stack on a deeply nested value, and cannot see integers JSON numbers round.
 */
const jsonParamSchema = z.custom<z.core.util.JSONType>(
  (value) => paramProblem(value, 'json') === undefined,
  { error: (issue) => paramProblem(issue.input, 'json') ?? 'not a JSON value' },
)

/**
 * Bind parameters: JSON values, at most 65535, nested at most 32 levels, integers within
 * ±(2^53 − 1) (larger ones as strings), with no NUL byte or lone UTF-16 surrogate in any string
 * or object key (PostgreSQL text and jsonb cannot hold them). A problem is reported at the
 * parameter's index, with where inside it (`params.0: the object key "a\u0000" at .tags …`).
 *
 * @example
 * queryParamsSchema.parse([1, 'a', null, { tags: ['x'] }])
 */
export const queryParamsSchema = z
  .array(jsonParamSchema, { error: 'params must be an array of JSON values' })
  .max(
    MAX_PARAMETERS,
    `params must hold at most ${String(MAX_PARAMETERS)} values (PostgreSQL's limit)`,
  )

/**
 * One query as applications send it: parameterized SQL (`$1`, `$2`, ...), JSON parameters and an
 * optional id of the caller's own that comes back with the result.
 *
 * @example
 * queryInputSchema.parse({ sql: 'INSERT INTO t (v) VALUES ($1)', params: [42], callbackId: 'order-7' })
 */
export const queryInputSchema = z.object({
  sql: z
    .string({ error: 'sql must be a string' })
    .min(1, 'sql must not be empty')
    .max(MAX_SQL_LENGTH, `sql must be at most ${MAX_SQL_LENGTH.toLocaleString('en')} characters`)
    .refine((sql) => sql.trim().length > 0, 'sql must not be blank')
    .refine((sql) => textProblem(sql) === undefined, {
      error: (issue) => `sql ${textProblem(issue.input as string) ?? 'is not valid text'}`,
    }),
  params: queryParamsSchema.default([]),
  callbackId: z
    .string({ error: 'callbackId must be a string' })
    .max(
      MAX_CALLBACK_ID_LENGTH,
      `callbackId must be at most ${String(MAX_CALLBACK_ID_LENGTH)} characters`,
    )
    .refine(
      (id) => textProblem(id) === undefined,
      'callbackId must be valid Unicode text without NUL bytes',
    )
    .optional(),
})

/**
 * A query: SQL, its parameters and the caller's own id for it. The one shape every layer takes
 * a query in: the ingest API, `QueryPipeline.addQueries`, the failure store.
 *
 * @example
 * const query: QueryInput = { sql: 'DELETE FROM sessions WHERE id = $1', params: [id], callbackId: 'logout' }
 */
export interface QueryInput {
  readonly sql: string
  readonly params?: readonly unknown[]
  readonly callbackId?: string
}

/**
 * Isolation levels a `group: true` request on a `transactional` pipeline may ask for (PostgreSQL's
 * own names; `read uncommitted` is PostgreSQL's `read committed` and so is not offered).
 */
export const ISOLATION_LEVELS = ['read committed', 'repeatable read', 'serializable'] as const
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number]

/**
 * Body of `POST /v1/pipelines/:name/queries`. With `group: true` the queries run in the same
 * batch (atomic under the `transactional` strategy), where `isolation`, `readOnly` and
 * `deferrable` set the transaction's mode (`BEGIN ISOLATION LEVEL ... READ ONLY DEFERRABLE`);
 * the pipeline refuses them on another strategy or without `group: true`.
 *
 * @example
 * ingestRequestSchema.parse({ queries: [{ sql: 'SELECT 1' }] })
 * ingestRequestSchema.parse({ queries: [{ sql: 'SELECT 1' }], group: true, isolation: 'serializable', readOnly: true })
 */
export const ingestRequestSchema = z.object(
  {
    queries: z
      .array(queryInputSchema, {
        error: 'queries must be an array of { sql, params?, callbackId? }',
      })
      .min(1, 'queries must hold at least one query')
      .max(
        MAX_QUERIES_PER_REQUEST,
        `queries must hold at most ${String(MAX_QUERIES_PER_REQUEST)} queries per request`,
      ),
    group: z.boolean({ error: 'group must be true or false' }).default(false),
    isolation: z
      .enum(ISOLATION_LEVELS, {
        error: `isolation must be one of ${ISOLATION_LEVELS.map((level) => `'${level}'`).join(', ')}`,
      })
      .optional(),
    readOnly: z.boolean({ error: 'readOnly must be true or false' }).optional(),
    deferrable: z.boolean({ error: 'deferrable must be true or false' }).optional(),
  },
  { error: 'body must be a JSON object { queries: [...], group? }' },
)
export type IngestRequest = z.output<typeof ingestRequestSchema>

/** Why a query did not succeed: PostgreSQL's SQLSTATE, message and detail, or a Sluice code. */
export const queryErrorSchema = z.object({
  message: z.string(),
  /** SQLSTATE (e.g. `23505`) or a Sluice code (e.g. `OUTCOME_UNKNOWN`). */
  code: z.string().optional(),
  detail: z.string().optional(),
  /** A COMMIT was sent and no answer came: it may or may not have applied. */
  outcomeUnknown: z.boolean().optional(),
  /**
   * The failure could not be written to the failed-queries store (it stayed unavailable through
   * the engine's retries): it is not there and no `failureId` comes with it. Keep it yourself.
   */
  unrecorded: z.boolean().optional(),
})
export type QueryErrorView = z.output<typeof queryErrorSchema>

/**
 * How a query ended: `skipped` (sequential, after a failure) and `rolled_back` (transactional,
 * another query failed) mean it had no effect.
 */
export const queryStatusSchema = z.enum(['succeeded', 'failed', 'skipped', 'rolled_back'])
export type QueryStatus = z.output<typeof queryStatusSchema>

/** One query's result, in the order the queries were sent. */
export const queryResultViewSchema = z.object({
  queryId: z.string(),
  status: queryStatusSchema,
  success: z.boolean(),
  /** Absent only with `alreadyApplied` (the rows of that first run were not kept). */
  rows: z.array(z.record(z.string(), z.unknown())).optional(),
  /** Absent only with `alreadyApplied`. */
  rowCount: z.number().optional(),
  error: queryErrorSchema.optional(),
  retryCount: z.number(),
  callbackId: z.string().optional(),
  batchId: z.string(),
  durationMs: z.number(),
  traceId: z.string().optional(),
  /** Id in the failed-queries store, for a query that did not succeed. */
  failureId: z.string().optional(),
  /**
   * A keyed write the target's ledger says already committed (a run whose answer was lost, e.g.
   * in an engine crash): `succeeded`, not run again, its rows and rowCount unknown.
   */
  alreadyApplied: z.literal(true).optional(),
})
export type QueryResultView = z.output<typeof queryResultViewSchema>

/** Answer of `POST /v1/pipelines/:name/queries`. */
export interface IngestResponse {
  results: QueryResultView[]
  /**
   * Set on a stored answer too large to keep whole (over `MAX_STORED_ANSWER_BYTES`): a replay
   * of it carries every query's status but no rows.
   */
  rowsOmitted?: true
}
