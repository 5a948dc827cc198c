import { randomUUID } from 'node:crypto'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { startNatsServer, type NatsServer } from '@sluice/nats-server'
import { afterAll } from 'vitest'
import { createLogger } from '../logger'
import type { IngestLog } from './ingestLog'
import { describeIngestLogContract, type IngestLogFixture } from './ingestLogContract'
import { ingestStreamNames } from './ingestStreamNames'
import { createJetStreamLog } from './jetStreamLog'

const log = createLogger('silent')

/**
 * A stream of its own (a fresh installation id) on the server at `url`; each `open` is an engine
 * with its own NATS connection, and its `close` drops that connection as a dying engine would.
 */
async function jetStreamFixture(url: string): Promise<IngestLogFixture> {
  const installationId = randomUUID().replaceAll('-', '')
  const admin = await connect({ servers: url })
  return {
    async open(settings) {
      const nats = await connect({ servers: url })
      const ingestLog = await createJetStreamLog({
        nats,
        installationId,
        replicas: 1,
        duplicateWindowMs: 60_000,
        log,
        ...settings,
      })
      const engine: IngestLog = {
        kind: ingestLog.kind,
        append: (request) => ingestLog.append(request),
        consume: (handle, options) => ingestLog.consume(handle, options),
        find: (requestId) => ingestLog.find(requestId),
        depth: () => ingestLog.depth(),
        async close() {
          await ingestLog.close()
          await nats.close()
        },
      }
      return engine
    },
    async dispose() {
      const manager = await jetstreamManager(admin)
      await manager.streams.delete(ingestStreamNames(installationId).stream).catch(() => false)
      await admin.close()
    },
  }
}

describeIngestLogContract('JetStreamLog on the machine’s NATS', () =>
  jetStreamFixture('nats://127.0.0.1:4222'),
)

let privateServer: Promise<NatsServer> | undefined
afterAll(async () => {
  await (await privateServer)?.stop()
})
describeIngestLogContract('JetStreamLog on a private nats-server', async () => {
  privateServer ??= startNatsServer()
  return jetStreamFixture((await privateServer).url)
})
