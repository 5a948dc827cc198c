import { connect } from 'node:net'

/**
 * Whether something accepts connections where spans are to be sent: one TCP connect, given up
 * after `timeoutMs`. Resolves with the reason when nothing does, undefined when it connected.
 *
 * @example
 * const refused = await collectorRefusal('http://localhost:4318/v1/traces') // Error: connect ECONNREFUSED …
 */
export function collectorRefusal(url: string, timeoutMs = 2_000): Promise<Error | undefined> {
  let target: URL
  try {
    target = new URL(url)
  } catch (error) {
    return Promise.resolve(error instanceof Error ? error : new Error(String(error)))
  }
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80))
  const host = target.hostname.replace(/^\[|\]$/g, '')
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const done = (reason: Error | undefined): void => {
      socket.destroy()
      resolve(reason)
    }
    socket.setTimeout(timeoutMs, () => {
      done(new Error(`no answer within ${String(timeoutMs)} ms`))
    })
    socket.once('connect', () => {
      done(undefined)
    })
    socket.once('error', done)
  })
}
