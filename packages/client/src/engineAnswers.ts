import { queryResultViewSchema, type QueryResultView } from '@sluice/contract'
import { z } from 'zod'
import { SluiceClientError } from './sluiceClientError'

/** The answer of `POST /v1/pipelines/:name/queries`: every query's result, in order. */
export const ingestAnswerSchema = z.object({
  results: z.array(queryResultViewSchema),
  rowsOmitted: z.literal(true).optional(),
})

/** The `202 Accepted` answer of a `Prefer: respond-async` ingest request. */
export const asyncAcceptedSchema = z.object({
  requestId: z.string(),
  queries: z.array(z.object({ queryId: z.string(), callbackId: z.string().optional() })),
})

/** States of an async request, in the order it goes through them. */
export type AsyncRequestState = 'queued' | 'running' | 'done'

/** `GET /v1/requests/:requestId`. */
export const asyncRequestStatusSchema = z.object({
  requestId: z.string(),
  pipeline: z.string(),
  state: z.enum(['queued', 'running', 'done']),
  acceptedAt: z.string(),
  results: z.array(queryResultViewSchema).optional(),
})

/**
 * Where an async request stands: queued in the engine's ingest log, running, or done with every
 * query's result (the synchronous answer's shape).
 */
export interface AsyncRequestStatus {
  /** Undefined only for a request the engine ran at once (see `AsyncRequest.requestId`). */
  readonly requestId: string | undefined
  readonly pipeline: string
  readonly state: AsyncRequestState
  /** When the engine stored it (ISO 8601). */
  readonly acceptedAt: string
  /** Once `done`: every query's result, in the order sent. */
  readonly results?: QueryResultView[] | undefined
}

/**
 * `body` checked against `schema`; an answer of another shape is an `INVALID_RESPONSE` error
 * naming what did not fit (an engine of another version, a proxy's page).
 *
 * @example
 * const { results } = parseAnswer(ingestAnswerSchema, answer.body, 'POST /v1/pipelines/orders/queries')
 */
export function parseAnswer<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
  throw new SluiceClientError(
    'INVALID_RESPONSE',
    `${what} answered a body the client does not understand${where}: ${issue?.message ?? 'unexpected shape'}`,
  )
}
