import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { TRPCError } from '@trpc/server'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { ENGINE_ERRORS, listAuditInputSchema } from '@sluice/contract'
import { BROWSER_HOST_HEADER, SESSION_HEADER, type CallerResolver } from '../auth/callerResolver'
import { roleGate } from '../auth/roleGate'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import { appRouter } from '../router'
import { pipelineNameSchema } from '@sluice/contract'
import type { Shutdown } from '../shutdown'
import type { EngineServices } from '../trpc/services'
import { refuseBrowserForgery } from './browserGuard'
import { handleIngest } from './ingestRoute'
import { sendError, sendJson } from './jsonResponse'
import { describeZodError } from '../trpc/zodMessages'
import { handlePipelineRoute } from './pipelineRoutes'

/** Serves Prometheus text on GET /metrics (from @sluice/telemetry). */
export type MetricsRequestHandler = (request: IncomingMessage, response: ServerResponse) => void

/** What the HTTP server serves. */
export interface HttpServerDeps {
  readonly services: EngineServices
  readonly registry: PipelineRegistry
  /** Who a request is from (tokens, the forwarded session). */
  readonly callers: CallerResolver
  readonly maxBodyBytes: number
  readonly shutdown: Shutdown
  readonly log: Logger
  readonly metricsHandler?: MetricsRequestHandler | undefined
}

const pipelinePath = /^\/v1\/pipelines(?:\/([^/]+))?(?:\/([^/]+))?\/?$/

/**
 * The engine's one HTTP server (node:http): ingest, pipelines-as-code and `GET /v1/cluster` under `/v1`, tRPC (with
 * SSE subscriptions) under `/trpc`, `GET /healthz` and `GET /metrics`.
 *
 * @example
 * const server = createHttpServer(deps)
 * server.listen(4000, '127.0.0.1')
 */
export function createHttpServer(deps: HttpServerDeps): Server {
  const header = (request: IncomingMessage, name: string): string | undefined => {
    const value = request.headers[name]
    return Array.isArray(value) ? value[0] : value
  }
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: deps.maxBodyBytes,
    createContext: async ({ req }) => {
      try {
        return {
          services: deps.services,
          caller: await deps.callers.resolve(req.headers, req.socket.remoteAddress),
          sessionId: header(req, SESSION_HEADER),
          browserHost: header(req, BROWSER_HOST_HEADER),
          shutdown: deps.shutdown,
        }
      } catch (error) {
        if (!(error instanceof EngineError)) throw error
        throw new TRPCError({
          code: ENGINE_ERRORS[error.code].trpc,
          message: error.message,
          cause: error,
        })
      }
    },
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        deps.log.error({ err: error.cause ?? error, path }, 'tRPC call failed')
    },
  })

  const audit = deps.services.access.audit
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://engine')
    const path = url.pathname
    const method = request.method ?? 'GET'
    // Before anything is read or run; /healthz alone stays open to any health checker.
    if (path !== '/healthz') refuseBrowserForgery(request.headers, deps.callers.tokensConfigured)
    if (path === '/trpc' || path.startsWith('/trpc/')) {
      trpc(request, response)
      return
    }
    if (path === '/healthz') {
      const health = await deps.services.health.get()
      sendJson(response, health.status === 'ok' ? 200 : 503, {
        status: health.status,
        database: health.database.reachable,
        pipelines: health.pipelines.total,
      })
      return
    }
    const caller = await deps.callers.resolve(request.headers, request.socket.remoteAddress)
    if (path === '/metrics') {
      await roleGate(caller, 'viewer', 'GET /metrics', { audit, change: false })
      if (!deps.metricsHandler)
        throw new EngineError('NOT_FOUND', 'metrics are not enabled (telemetry was not started)')
      deps.metricsHandler(request, response)
      return
    }
    if (path === '/v1/audit' || path === '/v1/audit/') {
      if (method !== 'GET')
        throw new EngineError(
          'METHOD_NOT_ALLOWED',
          `${method} is not allowed on ${path} (allowed: GET)`,
        )
      await roleGate(caller, 'admin', 'GET /v1/audit', { audit, change: false })
      const parsed = listAuditInputSchema.safeParse(auditQuery(url.searchParams))
      if (!parsed.success) throw new EngineError('INVALID_INPUT', describeZodError(parsed.error))
      sendJson(response, 200, await deps.services.access.audit.list(parsed.data))
      return
    }
    if (path === '/v1/cluster' || path === '/v1/cluster/') {
      if (method !== 'GET')
        throw new EngineError(
          'METHOD_NOT_ALLOWED',
          `${method} is not allowed on ${path} (allowed: GET)`,
        )
      await roleGate(caller, 'viewer', 'GET /v1/cluster', { audit, change: false })
      sendJson(response, 200, await deps.services.cluster.members())
      return
    }
    const match = pipelinePath.exec(path)
    if (!match) throw new EngineError('NOT_FOUND', `no route ${method} ${path}`)
    const [, rawName, action] = match
    const name = rawName === undefined ? undefined : decodeURIComponent(rawName)
    if (name !== undefined) {
      const valid = pipelineNameSchema.safeParse(name)
      if (!valid.success)
        throw new EngineError(
          'INVALID_INPUT',
          `pipeline name in the path: ${valid.error.issues[0]?.message ?? 'invalid'}`,
        )
    }
    if (method !== 'GET') deps.shutdown.refuseNewWork()
    if (action === 'queries' && name !== undefined) {
      if (method !== 'POST')
        throw new EngineError(
          'METHOD_NOT_ALLOWED',
          `${method} is not allowed on ${path} (allowed: POST)`,
        )
      await roleGate(caller, 'operator', `POST ${path}`, { audit, change: true })
      await handleIngest(request, response, name, deps.registry, deps.maxBodyBytes)
      return
    }
    await handlePipelineRoute(request, response, {
      name,
      action,
      caller,
      registry: deps.registry,
      changes: deps.services.access.pipelineChanges,
      audit,
      maxBodyBytes: deps.maxBodyBytes,
    })
  }

  return createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!(error instanceof EngineError))
        deps.log.error({ err: error, url: request.url }, 'request failed')
      sendError(response, error)
      // Let a refused upload run into the void so the client reads the answer instead of a reset.
      request.resume()
    })
  })
}

/** `?actor=alice&action=pipeline.update&limit=20` as `listAuditInputSchema` input. */
function auditQuery(search: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const [key, value] of search) {
    if (value === '') continue
    input[key] =
      key === 'limit'
        ? Number(value)
        : key === 'from' || key === 'to'
          ? /^\d+$/.test(value)
            ? Number(value)
            : value
          : value
  }
  return input
}
