import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Caller } from '../auth/caller'
import { roleGate } from '../auth/roleGate'
import { EngineError } from '../errors'
import type { AuditApi, PipelineChangesApi } from '../trpc/accessServices'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import { pipelineConfigSchema } from '@sluice/contract'
import { describeZodError } from '../trpc/zodMessages'
import { readJsonBody } from './jsonBody'
import { sendJson } from './jsonResponse'

/**
 * Pipelines as code for deploy scripts: `GET /v1/pipelines`, `GET|PUT|DELETE /v1/pipelines/:name`,
 * `POST /v1/pipelines/:name/{pause,resume,flush}`. PUT takes the whole config (fields left out take
 * their defaults) and creates (201) or updates live (200). Reads need the viewer role, pause,
 * resume and flush the operator role, PUT and DELETE the admin role; every change is audited.
 *
 * @example
 * // curl -X PUT localhost:4000/v1/pipelines/orders -d '{"strategy":"transactional","batchSize":50}'
 */
export async function handlePipelineRoute(
  request: IncomingMessage,
  response: ServerResponse,
  route: {
    name: string | undefined
    action: string | undefined
    caller: Caller
    registry: PipelineRegistry
    changes: PipelineChangesApi
    audit: AuditApi
    maxBodyBytes: number
  },
): Promise<void> {
  const { name, action, caller, registry, changes } = route
  const method = request.method ?? 'GET'
  const what = `${method} ${request.url?.split('?')[0] ?? ''}`
  const requireRole = (role: 'viewer' | 'operator' | 'admin') =>
    roleGate(caller, role, what, { audit: route.audit, change: method !== 'GET' })
  if (name === undefined) {
    if (method !== 'GET') throw methodNotAllowed(method, '/v1/pipelines', 'GET')
    await requireRole('viewer')
    sendJson(response, 200, { pipelines: await registry.list() })
    return
  }
  if (action !== undefined) {
    if (method !== 'POST') throw methodNotAllowed(method, `/v1/pipelines/${name}/${action}`, 'POST')
    if (action !== 'pause' && action !== 'resume' && action !== 'flush')
      throw new EngineError(
        'NOT_FOUND',
        `no action "${action}" (use queries, pause, resume or flush)`,
      )
    await requireRole('operator')
    sendJson(response, 200, await changes[action](caller, name))
    return
  }
  switch (method) {
    case 'GET':
      await requireRole('viewer')
      sendJson(response, 200, await registry.get(name))
      return
    case 'DELETE':
      await requireRole('admin')
      await changes.delete(caller, name)
      sendJson(response, 200, { deleted: name })
      return
    case 'PUT': {
      await requireRole('admin')
      const body = await readJsonBody(request, route.maxBodyBytes)
      const parsed = pipelineConfigSchema.safeParse(body)
      if (!parsed.success) throw new EngineError('INVALID_INPUT', describeZodError(parsed.error))
      if (registry.find(name)) {
        sendJson(response, 200, await changes.update(caller, name, parsed.data))
      } else {
        sendJson(response, 201, await changes.create(caller, name, parsed.data, false))
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
