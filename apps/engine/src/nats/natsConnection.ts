import { connect, type NatsConnection } from '@nats-io/transport-node'
import { EngineError } from '../errors'
import type { Logger } from '../logger'

/**
 * The engine's one connection to NATS (`SLUICE_NATS_URL`: one URL or several, comma-separated):
 * every NATS user in the engine (the JetStream ingest log, cluster traffic) shares it. It keeps
 * reconnecting for as long as the engine runs; a server unreachable at start-up stops the start
 * with one line naming it.
 *
 * @example
 * const nats = await connectNats('nats://127.0.0.1:4222', 'engine-2f1c9a4e', log)
 * await nats.drain()
 */
export async function connectNats(url: string, name: string, log: Logger): Promise<NatsConnection> {
  const servers = url.split(',').map((server) => server.trim())
  let connection: NatsConnection
  try {
    connection = await connect({
      servers,
      name: `sluice ${name}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new EngineError(
      'UNAVAILABLE',
      `cannot reach NATS at ${servers.join(', ')} (SLUICE_NATS_URL): ${reason}`,
    )
  }
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect')
        log.warn({ server: status.server }, 'NATS connection lost: reconnecting')
      else if (status.type === 'reconnect')
        log.info({ server: status.server }, 'NATS connection restored')
    }
  })()
  return connection
}
