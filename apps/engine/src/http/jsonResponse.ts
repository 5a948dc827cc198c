import type { ServerResponse } from 'node:http'
import { ENGINE_ERRORS } from '@sluice/contract'
import type { ErrorBody } from '@sluice/contract'
import { RoleRefusal } from '../auth/caller'
import { EngineError } from '../errors'

/**
 * Writes a JSON answer.
 *
 * @example
 * sendJson(response, 200, { ok: true })
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  response.end(text)
}

/** Writes an EngineError (or an unexpected error, as 500 without internals) as JSON. */
export function sendError(response: ServerResponse, error: unknown): void {
  if (error instanceof EngineError) {
    const headers: Record<string, string> = {}
    if (error.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(error.retryAfterSeconds)
    if (error.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer realm="sluice"'
    sendJson(
      response,
      ENGINE_ERRORS[error.code].http,
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error instanceof RoleRefusal ? { requiredRole: error.requiredRole } : {}),
        },
      } satisfies ErrorBody,
      headers,
    )
    return
  }
  sendJson(response, 500, {
    error: { code: 'INTERNAL', message: 'internal error (see the engine log)' },
  } satisfies ErrorBody)
}
