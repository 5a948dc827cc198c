import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createHTTPHandler } from '@trpc/server/adapters/standalone'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import { appRouter } from '../router'
import { pipelineNameSchema } from '@sluice/contract'
import type { Shutdown } from '../shutdown'
import type { EngineServices } from '../trpc/services'
import { bearerAuth } from './bearerAuth'
import { refuseBrowserForgery } from './browserGuard'
import { handleIngest } from './ingestRoute'
import { sendError, sendJson } from './jsonResponse'
import { handlePipelineRoute } from './pipelineRoutes'

/** Serves Prometheus text on GET /metrics (from @sluice/telemetry). */
export type MetricsRequestHandler = (request: IncomingMessage, response: ServerResponse) => void

/** What the HTTP server serves. */
export interface HttpServerDeps {
  readonly services: EngineServices
  readonly registry: PipelineRegistry
  readonly apiToken: string | undefined
  readonly maxBodyBytes: number
  readonly shutdown: Shutdown
  readonly log: Logger
  readonly metricsHandler?: MetricsRequestHandler | undefined
}

const pipelinePath = /^\/v1\/pipelines(?:\/([^/]+))?(?:\/([^/]+))?\/?$/

/**
 * The engine's one HTTP server (node:http): ingest and pipelines-as-code under `/v1`, tRPC (with
 * SSE subscriptions) under `/trpc`, `GET /healthz` and `GET /metrics`.
 *
 * @example
 * const server = createHttpServer(deps)
 * server.listen(4000, '127.0.0.1')
 */
export function createHttpServer(deps: HttpServerDeps): Server {
  const authorized = bearerAuth(deps.apiToken)
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: deps.maxBodyBytes,
    createContext: ({ req }) => ({
      services: deps.services,
      authorized: authorized(req.headers.authorization),
      shutdown: deps.shutdown,
    }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        deps.log.error({ err: error.cause ?? error, path }, 'tRPC call failed')
    },
  })

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://engine')
    const path = url.pathname
    const method = request.method ?? 'GET'
    // Before anything is read or run; /healthz alone stays open to any health checker.
    if (path !== '/healthz') refuseBrowserForgery(request.headers, deps.apiToken !== undefined)
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
    if (!authorized(request.headers.authorization)) {
      throw new EngineError(
        'UNAUTHORIZED',
        'missing or wrong bearer token (Authorization: Bearer <SLUICE_API_TOKEN>)',
      )
    }
    if (path === '/metrics') {
      if (!deps.metricsHandler)
        throw new EngineError('NOT_FOUND', 'metrics are not enabled (telemetry was not started)')
      deps.metricsHandler(request, response)
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
      await handleIngest(request, response, name, deps.registry, deps.maxBodyBytes)
      return
    }
    await handlePipelineRoute(request, response, name, action, deps.registry, deps.maxBodyBytes)
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
