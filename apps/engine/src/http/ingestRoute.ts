import type { IncomingMessage, ServerResponse } from 'node:http'
import { EngineError } from '../errors'
import type { IdempotentIngest } from '../idempotency/idempotentIngest'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import { transactionOptions } from '../pipelines/submitOptions'
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeySchema,
  ingestRequestSchema,
  type IngestResponse,
} from '@sluice/contract'
import { describeZodError } from '../trpc/zodMessages'
import { callerSpanContext } from './callerSpanContext'
import { readJsonBody } from './jsonBody'
import { sendJson } from './jsonResponse'
import { preferences } from './preferHeader'

/** What the ingest route works with. */
export interface IngestDeps {
  readonly registry: PipelineRegistry
  readonly idempotency: IdempotentIngest
  readonly maxBodyBytes: number
}

/**
 * `POST /v1/pipelines/:name/queries`: validates the whole body before queuing anything, runs the
 * queries, records the ones that did not succeed, then answers every query's result in order.
 * A `traceparent` header links the batch span to the caller's span. With an `Idempotency-Key`
 * the request goes through `IdempotentIngest` (applied once; a stored answer is replayed with
 * `Idempotent-Replayed: true`; `Prefer: wait=0` answers 409 rather than wait for a run).
 *
 * @example
 * // curl -X POST localhost:4000/v1/pipelines/orders/queries -H 'Idempotency-Key: o-7' -d '{"queries":[{"sql":"SELECT 1"}]}'
 */
export async function handleIngest(
  request: IncomingMessage,
  response: ServerResponse,
  name: string,
  deps: IngestDeps,
): Promise<void> {
  // Unknown pipeline before reading a possibly large body.
  if (!deps.registry.find(name)) throw new EngineError('NOT_FOUND', `no pipeline named "${name}"`)
  const key = idempotencyKeyOf(request)
  const body = await readJsonBody(request, deps.maxBodyBytes)
  const parsed = ingestRequestSchema.safeParse(body)
  if (!parsed.success) throw new EngineError('INVALID_INPUT', describeZodError(parsed.error))
  const callerContext = callerSpanContext(request.headers)
  if (key === undefined) {
    const results = await deps.registry.submit(
      name,
      parsed.data.queries,
      parsed.data.group,
      callerContext,
      transactionOptions(parsed.data),
    )
    sendJson(response, 200, { results } satisfies IngestResponse)
    return
  }
  const answer = await deps.idempotency.run({
    pipeline: name,
    key,
    body: parsed.data,
    wait: preferences(request.headers).get('wait') !== '0',
    ...(callerContext === undefined ? {} : { callerContext }),
  })
  sendJson(
    response,
    200,
    answer.response,
    answer.replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } : {},
  )
}

/** The request's `Idempotency-Key`, checked; undefined when it has none. */
function idempotencyKeyOf(request: IncomingMessage): string | undefined {
  const raw = request.headers[IDEMPOTENCY_KEY_HEADER]
  if (raw === undefined) return undefined
  const checked = idempotencyKeySchema.safeParse(Array.isArray(raw) ? raw.join(', ') : raw)
  if (!checked.success)
    throw new EngineError(
      'INVALID_INPUT',
      checked.error.issues[0]?.message ?? 'bad Idempotency-Key',
    )
  return checked.data
}
