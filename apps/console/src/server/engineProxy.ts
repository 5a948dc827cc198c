import 'server-only'
import { env } from '~/env'
import { foreignRequestRefusal } from './browserRequest'
import { engineHeaders, engineTrpcUrl } from './engineEndpoint'

/** Request headers worth passing on: content negotiation and SSE resumption, nothing else. */
const forwardedRequestHeaders = ['accept', 'content-type', 'last-event-id', 'trpc-accept']

/** Hop-by-hop or encoding headers that no longer describe the body once fetch has decoded it. */
const droppedResponseHeaders = new Set([
  'connection',
  'content-encoding',
  'content-length',
  'keep-alive',
  'transfer-encoding',
])

/**
 * Forwards one tRPC call from the browser to the engine, adding the engine's bearer token and
 * the browser's session on the server (`engineHeaders`), so the browser never holds the token
 * and the engine decides who is calling. Bodies stream both ways, so a subscription's SSE
 * events reach the browser as the engine sends them.
 *
 * @example
 * export const GET = (request: Request) => proxyToEngine(request, 'health.check')
 */
export async function proxyToEngine(request: Request, procedurePath: string): Promise<Response> {
  const refusal = refuse(request, procedurePath)
  if (refusal) return refusal
  const incoming = new URL(request.url)
  const target = `${engineTrpcUrl}/${encodeURIComponent(procedurePath).replaceAll('%2C', ',')}${incoming.search}`

  const headers = new Headers(engineHeaders(request.headers))
  for (const name of forwardedRequestHeaders) {
    const value = request.headers.get(name)
    if (value !== null) headers.set(name, value)
  }

  let upstream: Response
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body:
        request.method === 'GET' || request.method === 'HEAD'
          ? undefined
          : await request.arrayBuffer(),
      signal: request.signal,
      cache: 'no-store',
      redirect: 'manual',
    })
  } catch (error) {
    if (request.signal.aborted) return new Response(null, { status: 499 })
    return engineUnreachable(procedurePath, incoming, error)
  }

  const responseHeaders = new Headers()
  upstream.headers.forEach((value, name) => {
    if (!droppedResponseHeaders.has(name)) responseHeaders.set(name, value)
  })
  if (upstream.headers.get('content-type')?.startsWith('text/event-stream')) {
    // no-transform keeps the server's compression from buffering the stream.
    responseHeaders.set('cache-control', 'no-cache, no-transform')
    responseHeaders.set('x-accel-buffering', 'no')
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeaders,
  })
}

/** `pipelines.list` or a batch `pipelines.list,health.get`: nothing that could leave `/trpc`. */
const procedurePathPattern = /^[A-Za-z]\w*(?:\.[A-Za-z]\w*)*(?:,[A-Za-z]\w*(?:\.[A-Za-z]\w*)*)*$/

/**
 * Refuses what the console's own pages never send: paths that are not procedure names,
 * requests another site's page made from the operator's browser, and requests addressed to a
 * name the console is not served under (DNS rebinding). The proxy adds the token, so it must not
 * act for any of them.
 */
function refuse(request: Request, procedurePath: string): Response | null {
  if (!procedurePathPattern.test(procedurePath)) {
    return Response.json(
      { error: { message: `not a tRPC procedure path: ${procedurePath}`, code: -32600 } },
      { status: 400 },
    )
  }
  // Sign-in answers a session id: only the console's own routes call it, and keep the id in an
  // HttpOnly cookie, out of reach of page scripts.
  if (
    procedurePath.split(',').some((path) => path.startsWith('auth.') && path !== 'auth.session')
  ) {
    return Response.json(
      {
        error: {
          message: 'sign in and out through /sign-in, not through the API proxy',
          code: -32600,
        },
      },
      { status: 403 },
    )
  }
  const refusal = foreignRequestRefusal(request)
  if (refusal !== null) {
    return Response.json({ error: { message: refusal, code: -32600 } }, { status: 403 })
  }
  return null
}

/**
 * A tRPC-shaped BAD_GATEWAY answer (one entry per call of a batch), so the client surfaces
 * a readable error instead of a parse failure.
 */
function engineUnreachable(procedurePath: string, incoming: URL, cause: unknown): Response {
  const reason =
    cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : String(cause)
  const error = {
    message: `The Sluice engine at ${env.engineUrl} is unreachable (${reason}).`,
    code: -32603,
    data: { code: 'BAD_GATEWAY', httpStatus: 502, path: procedurePath },
  }
  const isBatch = incoming.searchParams.get('batch') === '1'
  const body = isBatch
    ? procedurePath
        .split(',')
        .map((path) => ({ error: { ...error, data: { ...error.data, path } } }))
    : { error }
  return Response.json(body, { status: 502, headers: { 'cache-control': 'no-store' } })
}
