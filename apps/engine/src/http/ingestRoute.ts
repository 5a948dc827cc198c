import type { IncomingMessage, ServerResponse } from 'node:http'
import { EngineError } from '../errors'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import { ingestRequestSchema, type IngestResponse } from '@sluice/contract'
import { describeZodError } from '../trpc/zodMessages'
import { callerSpanContext } from './callerSpanContext'
import { readJsonBody } from './jsonBody'
import { sendJson } from './jsonResponse'

/**
 * `POST /v1/pipelines/:name/queries`: validates the whole body before queuing anything, runs the
 * queries, records the ones that did not succeed, then answers every query's result in order.
 * A `traceparent` header links the batch span to the caller's span.
 *
 * @example
 * // curl -X POST localhost:4000/v1/pipelines/orders/queries -d '{"queries":[{"sql":"SELECT 1"}]}'
 */
export async function handleIngest(
  request: IncomingMessage,
  response: ServerResponse,
  name: string,
  registry: PipelineRegistry,
  maxBodyBytes: number,
): Promise<void> {
  // Unknown pipeline before reading a possibly large body.
  if (!registry.find(name)) throw new EngineError('NOT_FOUND', `no pipeline named "${name}"`)
  const body = await readJsonBody(request, maxBodyBytes)
  const parsed = ingestRequestSchema.safeParse(body)
  if (!parsed.success) throw new EngineError('INVALID_INPUT', describeZodError(parsed.error))
  const results = await registry.submit(
    name,
    parsed.data.queries,
    parsed.data.group,
    callerSpanContext(request.headers),
  )
  sendJson(response, 200, { results } satisfies IngestResponse)
}
