import { randomUUID } from 'node:crypto'
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node'
import { createTestDatabase, type TestDatabase } from '@sluice/test-database'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { readInstallationId } from '../database/installationId'
import { migrate } from '../database/migrations'
import { createLogger } from '../logger'
import type { IngestLog, IngestRequest, LoggedRequest } from './ingestLog'
import { ingestStreamNames } from './ingestStreamNames'
import { createJetStreamLog } from './jetStreamLog'

/*
 * What the contract suite cannot say because it is JetStream's own: the stream as an operator
 * sees it (`nats stream info`), one stream per install, dedupe after the original was applied,
 * NATS's message size limit, ids across a re-made stream. On the machine's server.
 */

const log = createLogger('silent')
const url = 'nats://127.0.0.1:4222'

const request = (
  pipeline: string,
  key: string = randomUUID(),
  body: unknown = {},
): IngestRequest => ({
  pipeline,
  key,
  bodyHash: `hash-of-${key}`,
  body,
})

async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await check()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

describe('JetStreamLog on NATS', () => {
  let nats: NatsConnection
  let manager: JetStreamManager
  const streams: string[] = []
  const logs: IngestLog[] = []

  const openLog = async (installationId: string, maxDepth = 1_000): Promise<IngestLog> => {
    streams.push(ingestStreamNames(installationId).stream)
    const ingestLog = await createJetStreamLog({
      nats,
      installationId,
      replicas: 1,
      maxDepth,
      leaseMs: 5_000,
      duplicateWindowMs: 3_600_000,
      log,
    })
    logs.push(ingestLog)
    return ingestLog
  }
  const newInstall = (): string => randomUUID().replaceAll('-', '')

  beforeAll(async () => {
    nats = await connect({ servers: url })
    manager = await jetstreamManager(nats)
  })
  afterEach(async () => {
    for (const ingestLog of logs.splice(0)) await ingestLog.close()
    for (const stream of streams.splice(0)) await manager.streams.delete(stream).catch(() => false)
  })
  afterAll(async () => {
    await nats.close()
  })

  it('keeps an install’s requests in a work-queue stream named after it, limited by the depth', async () => {
    const installationId = newInstall()
    await openLog(installationId, 250)
    const names = ingestStreamNames(installationId)
    const info = await manager.streams.info(names.stream)
    expect(info.config).toMatchObject({
      subjects: [`sluice.ingest.${installationId}.*`],
      retention: 'workqueue',
      storage: 'file',
      num_replicas: 1,
      max_msgs: 250,
      discard: 'new',
      max_age: 0,
      duplicate_window: nanos(3_600_000),
    })
    const consumer = await manager.consumers.info(names.stream, 'sluice-ingest')
    expect(consumer.config).toMatchObject({
      durable_name: 'sluice-ingest',
      ack_policy: 'explicit',
      ack_wait: nanos(5_000),
      max_deliver: -1,
    })

    // A second engine of the install with another depth brings the stream to it.
    await openLog(installationId, 500)
    expect((await manager.streams.info(names.stream)).config.max_msgs).toBe(500)
  })

  it('never mixes two installs on one NATS', async () => {
    const mine = await openLog(newInstall())
    const theirs = await openLog(newInstall())
    const own = await mine.append(request('orders', 'same-key'))
    const other = await theirs.append(request('orders', 'same-key'))
    expect(own.duplicate).toBe(false)
    expect(other.duplicate).toBe(false)
    expect(await mine.find(other.requestId)).toBeUndefined()

    const delivered: LoggedRequest[] = []
    const consumer = mine.consume(
      (logged) => {
        delivered.push(logged)
        return Promise.resolve()
      },
      { concurrency: 2 },
    )
    await eventually(() => {
      expect(delivered.map((logged) => logged.requestId)).toEqual([own.requestId])
    })
    await consumer.stop()
    expect((await theirs.depth()).get('orders')?.queued).toBe(1)
  })

  it('answers the first requestId for a key re-sent after its request was applied', async () => {
    const ingestLog = await openLog(newInstall())
    const first = await ingestLog.append(request('orders', 'applied-once'))
    const delivered: LoggedRequest[] = []
    const consumer = ingestLog.consume(
      (logged) => {
        delivered.push(logged)
        return Promise.resolve()
      },
      { concurrency: 1 },
    )
    await eventually(async () => {
      expect(delivered).toHaveLength(1)
      expect(await ingestLog.find(first.requestId)).toBeUndefined()
    })
    const again = await ingestLog.append(request('orders', 'applied-once'))
    expect(again).toMatchObject({ requestId: first.requestId, duplicate: true })
    await new Promise((resolve) => setTimeout(resolve, 300))
    await consumer.stop()
    expect(delivered).toHaveLength(1)
  })

  it('refuses a request larger than NATS takes with a message naming the limit, storing nothing', async () => {
    const ingestLog = await openLog(newInstall())
    const maxPayload = nats.info?.max_payload ?? 1_048_576
    const refused = await ingestLog
      .append(request('orders', 'huge', { blob: 'x'.repeat(maxPayload) }))
      .catch((error: unknown) => error)
    expect(refused).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    expect((refused as Error).message).toContain(`at most ${maxPayload} bytes (its max_payload`)
    expect((await ingestLog.depth()).get('orders')).toBeUndefined()
  })

  it('finds nothing by an id from before its stream was made anew', async () => {
    const installationId = newInstall()
    const before = await openLog(installationId)
    const old = await before.append(request('orders', 'old'))
    await manager.streams.delete(ingestStreamNames(installationId).stream)
    const after = await openLog(installationId)
    const fresh = await after.append(request('orders', 'new'))
    // Sequence 1 again, another request: the old id must not find it.
    expect(fresh.requestId.split('-')[0]).toBe(old.requestId.split('-')[0])
    expect(await after.find(old.requestId)).toBeUndefined()
    expect(await after.find(fresh.requestId)).toMatchObject({ key: 'new' })
  })
})

describe('readInstallationId', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createTestDatabase('installation')
    await migrate(db.pool, log)
  })
  afterAll(async () => {
    await db.drop()
  })

  it('is made once per engine database and names a valid stream', async () => {
    const id = await readInstallationId(db.pool)
    await migrate(db.pool, log)
    expect(await readInstallationId(db.pool)).toBe(id)
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(ingestStreamNames(id).stream).toBe(`SLUICE_INGEST_${id}`)
    const other = await createTestDatabase('installation_other')
    try {
      await migrate(other.pool, log)
      expect(await readInstallationId(other.pool)).not.toBe(id)
    } finally {
      await other.drop()
    }
  })
})
