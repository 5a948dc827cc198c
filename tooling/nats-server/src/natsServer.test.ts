import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNatsCluster, type NatsCluster } from './natsServer'

describe('startNatsCluster', () => {
  let cluster: NatsCluster
  beforeAll(async () => {
    cluster = await startNatsCluster(3)
  })
  afterAll(async () => {
    await cluster.stop()
  })

  it('keeps a replicated stream readable after its leader is killed', async () => {
    const connection = await connect({ servers: [...cluster.urls] })
    try {
      const manager = await jetstreamManager(connection)
      await manager.streams.add({
        name: 'killed_leader',
        subjects: ['killed.leader'],
        num_replicas: 3,
      })
      const stream = jetstream(connection)
      await stream.publish('killed.leader', 'kept')
      const info = await manager.streams.info('killed_leader')
      const leader = cluster.servers.find((server) => server.name === info.cluster?.leader)
      expect(leader).toBeDefined()
      await leader?.kill()
      expect(leader?.running).toBe(false)

      const deadline = Date.now() + 20_000
      let kept: string | undefined
      while (kept === undefined && Date.now() < deadline) {
        try {
          kept = (await manager.streams.getMessage('killed_leader', { seq: 1 }))?.string()
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 250))
        }
      }
      expect(kept).toBe('kept')
      await leader?.restart()
      expect(leader?.running).toBe(true)
    } finally {
      await connection.close()
    }
  })
})
