import { randomUUID } from 'node:crypto'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { startNatsCluster, type NatsCluster } from '@sluice/nats-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineError } from '../errors'
import { createLogger } from '../logger'
import type { IngestLog } from './ingestLog'
import { ingestStreamNames } from './ingestStreamNames'
import { createJetStreamLog } from './jetStreamLog'

/*
 * A 3-node JetStream cluster, the stream at 3 replicas: SIGKILL of the stream's leader while
 * requests are appended and consumed loses none, stores none twice, and applies each once.
 */

const log = createLogger('silent')
const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

describe('JetStreamLog on a 3-node cluster', () => {
  let cluster: NatsCluster
  let nats: NatsConnection
  beforeAll(async () => {
    cluster = await startNatsCluster(3)
    nats = await connect({
      servers: [...cluster.urls],
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    })
  })
  afterAll(async () => {
    await nats.close()
    await cluster.stop()
  })

  it('delivers and acks every appended request once after SIGKILL of the stream leader', async () => {
    const installationId = randomUUID().replaceAll('-', '')
    const names = ingestStreamNames(installationId)
    const ingestLog: IngestLog = await createJetStreamLog({
      nats,
      installationId,
      replicas: 3,
      maxDepth: 10_000,
      leaseMs: 5_000,
      duplicateWindowMs: 600_000,
      log,
    })
    const manager = await jetstreamManager(nats)
    const handled = new Map<string, number>()
    let redelivered = 0
    const consumer = ingestLog.consume(
      async (request) => {
        if (request.deliveries > 1) redelivered += 1
        await sleep(2)
        handled.set(request.requestId, (handled.get(request.requestId) ?? 0) + 1)
      },
      { concurrency: 8 },
    )

    // Four callers append 600 requests; one that gets no answer re-sends with its key, as the
    // client does.
    const total = 600
    const idsOfKey = new Map<string, Set<string>>()
    let resent = 0
    let next = 0
    const caller = async (): Promise<void> => {
      while (next < total) {
        const key = `k${next}`
        next += 1
        for (;;) {
          try {
            const appended = await ingestLog.append({
              pipeline: 'orders',
              key,
              bodyHash: key,
              body: { key },
            })
            const ids = idsOfKey.get(key) ?? new Set<string>()
            idsOfKey.set(key, ids.add(appended.requestId))
            break
          } catch (error) {
            if (!(error instanceof EngineError) || error.code !== 'UNAVAILABLE') throw error
            resent += 1
          }
        }
      }
    }
    const callers = Promise.all(Array.from({ length: 4 }, caller))
    while (next < total / 3) await sleep(20)
    const info = await manager.streams.info(names.stream)
    const leader = cluster.servers.find((server) => server.name === info.cluster?.leader)
    expect(leader, 'the stream has a leader').toBeDefined()
    await leader?.kill()
    const killedAt = next
    await callers

    const appended = [...idsOfKey.values()].flatMap((ids) => [...ids])
    await expect
      .poll(() => appended.filter((id) => !handled.has(id)).length, { timeout: 60_000 })
      .toBe(0)
    // Past one more ack_wait: a request acked but not known to the new leader would come back now.
    await sleep(6_000)
    await consumer.stop()
    await expect
      .poll(async () => (await manager.streams.info(names.stream)).state.messages, {
        timeout: 20_000,
      })
      .toBe(0)
    const twice = [...handled].filter(([, count]) => count > 1)
    console.log(
      `cluster leader SIGKILL: ${total} requests, leader killed after ${killedAt}, ` +
        `${resent} re-sent by callers, ${redelivered} redeliveries, ${twice.length} handled twice`,
    )

    expect(killedAt, 'killed while appending').toBeLessThan(total)
    expect(idsOfKey.size).toBe(total)
    expect(
      [...idsOfKey].filter(([, ids]) => ids.size !== 1),
      'a key stored as two requests',
    ).toEqual([])
    expect(new Set(appended).size, 'two keys with one request id').toBe(total)
    expect(twice, 'handled twice').toEqual([])
    expect([...handled.keys()].sort()).toEqual([...appended].sort())

    await ingestLog.close()
    await manager.streams.delete(names.stream)
    await leader?.restart()
  }, 120_000)
})
