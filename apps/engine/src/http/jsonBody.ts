import type { IncomingMessage } from 'node:http'
import { EngineError } from '../errors'

/**
 * Reads a request body as JSON, refusing bodies over `limit` bytes as soon as they cross it
 * (413) and malformed JSON with the parser's reason (400).
 *
 * @example
 * const body = await readJsonBody(request, 4 * 1024 * 1024)
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () =>
    new EngineError(
      'PAYLOAD_TOO_LARGE',
      `body is larger than the limit of ${limit} bytes (SLUICE_MAX_BODY_BYTES); send fewer queries per request`,
    )
  const declared = Number(request.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw tooLarge()
  // Events rather than for-await: leaving a for-await early destroys the socket, and the client
  // would see a reset instead of the 413. Past the limit the rest is read and dropped.
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const received: Buffer[] = []
    let size = 0
    let refused = false
    request.on('data', (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > limit) {
        refused = true
        received.length = 0
        reject(tooLarge())
        return
      }
      received.push(chunk)
    })
    request.once('end', () => {
      resolve(received)
    })
    request.once('error', reject)
  })
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '')
    throw new EngineError(
      'INVALID_INPUT',
      'body is empty: send JSON such as {"queries":[{"sql":"SELECT 1"}]}',
    )
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new EngineError(
      'INVALID_INPUT',
      `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
}
