import type { IncomingMessage, ServerResponse } from 'node:http'
import { EngineError } from '../errors'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import { pipelineConfigSchema } from '@sluice/contract'
import { describeZodError } from '../trpc/zodMessages'
import { readJsonBody } from './jsonBody'
import { sendJson } from './jsonResponse'

/**
 * Pipelines as code for deploy scripts: `GET /v1/pipelines`, `GET|PUT|DELETE /v1/pipelines/:name`,
 * `POST /v1/pipelines/:name/{pause,resume,flush}`. PUT takes the whole config (fields left out take
 * their defaults) and creates (201) or updates live (200).
 *
 * @example
 * // curl -X PUT localhost:4000/v1/pipelines/orders -d '{"strategy":"transactional","batchSize":50}'
 */
export async function handlePipelineRoute(
  request: IncomingMessage,
  response: ServerResponse,
  name: string | undefined,
  action: string | undefined,
  registry: PipelineRegistry,
  maxBodyBytes: number,
): Promise<void> {
  const method = request.method ?? 'GET'
  if (name === undefined) {
    if (method !== 'GET') throw methodNotAllowed(method, '/v1/pipelines', 'GET')
    sendJson(response, 200, { pipelines: await registry.list() })
    return
  }
  if (action !== undefined) {
    if (method !== 'POST') throw methodNotAllowed(method, `/v1/pipelines/${name}/${action}`, 'POST')
    if (action === 'pause') sendJson(response, 200, await registry.pause(name))
    else if (action === 'resume') sendJson(response, 200, await registry.resume(name))
    else if (action === 'flush') sendJson(response, 200, await registry.flush(name))
    else
      throw new EngineError(
        'NOT_FOUND',
        `no action "${action}" (use queries, pause, resume or flush)`,
      )
    return
  }
  switch (method) {
    case 'GET':
      sendJson(response, 200, await registry.get(name))
      return
    case 'DELETE':
      await registry.delete(name)
      sendJson(response, 200, { deleted: name })
      return
    case 'PUT': {
      const body = await readJsonBody(request, maxBodyBytes)
      const parsed = pipelineConfigSchema.safeParse(body)
      if (!parsed.success) throw new EngineError('INVALID_INPUT', describeZodError(parsed.error))
      if (registry.find(name)) {
        sendJson(response, 200, await registry.update(name, parsed.data))
      } else {
        sendJson(response, 201, await registry.create(name, parsed.data, false))
      }
      return
    }
    default:
      throw methodNotAllowed(method, `/v1/pipelines/${name}`, 'GET, PUT, DELETE')
  }
}

function methodNotAllowed(method: string, path: string, allowed: string): EngineError {
  return new EngineError(
    'METHOD_NOT_ALLOWED',
    `${method} is not allowed on ${path} (allowed: ${allowed})`,
  )
}
