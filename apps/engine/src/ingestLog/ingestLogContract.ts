import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EngineError } from '../errors'
import type { IngestLog, IngestLogSettings, IngestRequest, LoggedRequest } from './ingestLog'

/*
 * The behaviour every IngestLog must have, as one vitest suite each implementation runs against
 * real storage (PostgreSQL, a JetStream server). An "engine" here is one `open()` of the log: two
 * opens of one fixture are two engines on the same log, and `close()` of one is its death.
 */

/** Storage a suite's logs live on; each `open` is another engine's view of the same log. */
export interface IngestLogFixture {
  open(settings: IngestLogSettings): Promise<IngestLog>
  /** Removes what the fixture created (database, stream). Logs left open are closed first. */
  dispose(): Promise<void>
}

/** The lease the suite runs with: short, so redeliveries take seconds. */
const leaseMs = 1_000
const roomy: IngestLogSettings = { maxDepth: 1_000, leaseMs }

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms)
  })

/** Resolves once `check` stops throwing; rethrows its last error after `timeoutMs`. */
async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(50)
    }
  }
}

/** A promise with its resolve and reject at hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void
  let reject!: (e: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const request = (
  pipeline: string,
  key: string = randomUUID(),
  body: unknown = { n: key },
): IngestRequest => ({
  pipeline,
  key,
  bodyHash: `hash-of-${key}`,
  body,
})

/**
 * Declares the IngestLog contract suite against the storage `makeFixture` sets up (once per test).
 *
 * @example
 * describeIngestLogContract('PostgresIngestLog', async () => {
 *   const db = await createTestDatabase('ingest_log')
 *   return { open: (settings) => PostgresIngestLog.open(db.url, settings), dispose: () => db.drop() }
 * })
 */
export function describeIngestLogContract(
  name: string,
  makeFixture: () => Promise<IngestLogFixture>,
): void {
  describe(`${name}: the IngestLog contract`, () => {
    let fixture: IngestLogFixture
    const opened: IngestLog[] = []
    const open = async (settings: IngestLogSettings = roomy): Promise<IngestLog> => {
      const log = await fixture.open(settings)
      opened.push(log)
      return log
    }
    /** Collects what a consumer delivers; `handle` decides each delivery's fate. */
    const collect = (
      log: IngestLog,
      handle: (request: LoggedRequest) => Promise<void> = () => Promise.resolve(),
      concurrency = 4,
    ) => {
      const delivered: LoggedRequest[] = []
      const consumer = log.consume(
        async (logged) => {
          delivered.push(logged)
          await handle(logged)
        },
        { concurrency },
      )
      return { delivered, consumer }
    }

    beforeEach(async () => {
      fixture = await makeFixture()
    })
    afterEach(async () => {
      for (const log of opened.splice(0)) await log.close().catch(() => undefined)
      await fixture.dispose()
    })

    it('keeps an appended request, as sent, for another engine after the first is gone', async () => {
      const first = await open()
      const body = { queries: [{ sql: 'SELECT $1::text', params: ['ünïcödé ✓', null, 1.5] }] }
      const sent = request('orders', 'key-1', body)
      const appended = await first.append(sent)
      expect(appended.duplicate).toBe(false)
      expect(appended.requestId).not.toBe('')
      expect(Math.abs(appended.acceptedAt.getTime() - Date.now())).toBeLessThan(5_000)
      await first.close()

      const second = await open()
      const found = await second.find(appended.requestId)
      expect(found).toMatchObject({
        requestId: appended.requestId,
        pipeline: 'orders',
        key: 'key-1',
        bodyHash: 'hash-of-key-1',
        body,
      })
      expect(found?.acceptedAt.getTime()).toBe(appended.acceptedAt.getTime())
      const { delivered, consumer } = collect(second)
      await eventually(() => {
        expect(delivered.map((logged) => logged.requestId)).toEqual([appended.requestId])
      })
      expect(delivered[0]).toMatchObject({ pipeline: 'orders', key: 'key-1', body, deliveries: 1 })
      await consumer.stop()
    })

    it('dedupes by (pipeline, key): every append of a key answers the first requestId', async () => {
      const log = await open()
      const first = await log.append(request('orders', 'same'))
      const again = await log.append(request('orders', 'same'))
      const atOnce = await Promise.all(
        Array.from({ length: 5 }, () => log.append(request('orders', 'same'))),
      )
      expect(again).toMatchObject({ requestId: first.requestId, duplicate: true })
      for (const answer of atOnce)
        expect(answer).toMatchObject({ requestId: first.requestId, duplicate: true })
      // Keys are scoped per pipeline.
      const otherPipeline = await log.append(request('invoices', 'same'))
      expect(otherPipeline.duplicate).toBe(false)
      expect(otherPipeline.requestId).not.toBe(first.requestId)

      const { delivered, consumer } = collect(log)
      await eventually(() => {
        expect(delivered).toHaveLength(2)
      })
      await sleep(leaseMs * 1.5)
      await consumer.stop()
      expect(delivered.map((logged) => `${logged.pipeline}/${logged.key}`).sort()).toEqual([
        'invoices/same',
        'orders/same',
      ])
    })

    it('removes a request only once handle resolved, and keeps it while a live engine runs long', async () => {
      const first = await open()
      const appended = await first.append(request('orders'))
      const release = deferred()
      const running = collect(first, () => release.promise)
      await eventually(() => {
        expect(running.delivered).toHaveLength(1)
      })
      // A second engine sees nothing to do while the first is alive, even past several leases.
      const second = await open()
      const other = collect(second)
      await sleep(leaseMs * 3)
      expect(other.delivered).toHaveLength(0)
      expect(await first.find(appended.requestId)).toBeDefined()
      expect((await first.depth()).get('orders')?.queued).toBe(1)

      release.resolve()
      await eventually(async () => {
        expect(await second.find(appended.requestId)).toBeUndefined()
      })
      await sleep(leaseMs * 1.5)
      expect(other.delivered).toHaveLength(0)
      expect(running.delivered).toHaveLength(1)
      await running.consumer.stop()
      await other.consumer.stop()
    })

    it('delivers a request again after handle rejected', async () => {
      const log = await open()
      const appended = await log.append(request('orders'))
      let calls = 0
      const { delivered, consumer } = collect(log, () => {
        calls += 1
        return calls === 1 ? Promise.reject(new Error('the target is down')) : Promise.resolve()
      })
      await eventually(() => {
        expect(delivered).toHaveLength(2)
      }, leaseMs + 10_000)
      expect(delivered.map((logged) => [logged.requestId, logged.deliveries])).toEqual([
        [appended.requestId, 1],
        [appended.requestId, 2],
      ])
      await eventually(async () => {
        expect(await log.find(appended.requestId)).toBeUndefined()
      })
      await consumer.stop()
    })

    it('delivers what a dead engine was handling to another engine once its lease ran out', async () => {
      const doomed = await open()
      const appended = await doomed.append(request('orders'))
      const { delivered } = collect(doomed, () => new Promise<void>(() => undefined))
      await eventually(() => {
        expect(delivered).toHaveLength(1)
      })
      await doomed.close()

      const survivor = await open()
      const diedAt = Date.now()
      const after = collect(survivor)
      await eventually(() => {
        expect(after.delivered).toHaveLength(1)
      }, leaseMs + 10_000)
      expect(after.delivered[0]).toMatchObject({ requestId: appended.requestId, deliveries: 2 })
      // Not before the lease could have run out (a little slack for clocks and timers).
      expect(Date.now() - diedAt).toBeGreaterThanOrEqual(leaseMs / 2)
      await eventually(async () => {
        expect(await survivor.find(appended.requestId)).toBeUndefined()
      })
      await after.consumer.stop()
    })

    it('hands each request to exactly one of two live engines', async () => {
      const one = await open()
      const two = await open()
      const keys = Array.from({ length: 20 }, (_, index) => `k${index}`)
      for (const key of keys) await one.append(request('orders', key))
      const slow = () => sleep(20)
      const a = collect(one, slow, 3)
      const b = collect(two, slow, 3)
      await eventually(() => {
        expect(a.delivered.length + b.delivered.length).toBe(keys.length)
      })
      await sleep(leaseMs * 1.5)
      await a.consumer.stop()
      await b.consumer.stop()
      const all = [...a.delivered, ...b.delivered].map((logged) => logged.key).sort()
      expect(all).toEqual([...keys].sort())
    })

    it('runs at most `concurrency` handle calls at once, and that many when there is work', async () => {
      const log = await open()
      for (let index = 0; index < 8; index += 1) await log.append(request('orders'))
      let running = 0
      let most = 0
      const { delivered, consumer } = collect(
        log,
        async () => {
          running += 1
          most = Math.max(most, running)
          await sleep(150)
          running -= 1
        },
        3,
      )
      await eventually(() => {
        expect(delivered).toHaveLength(8)
      })
      await consumer.stop()
      expect(most).toBe(3)
    })

    it('stop waits for the running handle calls and delivers nothing after', async () => {
      const log = await open()
      const appended = await log.append(request('orders'))
      const release = deferred()
      const { delivered, consumer } = collect(log, () => release.promise)
      await eventually(() => {
        expect(delivered).toHaveLength(1)
      })
      let stopped = false
      const stopping = consumer.stop().then(() => {
        stopped = true
      })
      await sleep(200)
      expect(stopped).toBe(false)
      release.resolve()
      await stopping
      expect(await log.find(appended.requestId)).toBeUndefined()
      await log.append(request('orders'))
      await sleep(leaseMs)
      expect(delivered).toHaveLength(1)
    })

    it('reports the depth per pipeline and when its oldest request was accepted', async () => {
      const log = await open()
      expect((await log.depth()).get('orders')?.queued ?? 0).toBe(0)
      const oldest = await log.append(request('orders'))
      await sleep(30)
      const newer = await log.append(request('orders'))
      await log.append(request('invoices'))
      const depth = await log.depth()
      expect(depth.get('orders')?.queued).toBe(2)
      expect(depth.get('invoices')?.queued).toBe(1)
      expect(depth.get('orders')?.oldestQueuedAt?.getTime()).toBe(oldest.acceptedAt.getTime())
      expect(newer.acceptedAt.getTime()).toBeGreaterThan(oldest.acceptedAt.getTime())

      const { delivered, consumer } = collect(log)
      await eventually(async () => {
        expect(delivered).toHaveLength(3)
        const drained = await log.depth()
        expect(drained.get('orders')?.queued ?? 0).toBe(0)
        expect(drained.get('invoices')?.queued ?? 0).toBe(0)
      })
      await consumer.stop()
    })

    it('refuses an append over its depth with INGEST_LOG_FULL and stores nothing of it', async () => {
      const log = await open({ maxDepth: 3, leaseMs })
      for (const key of ['a', 'b', 'c']) await log.append(request('orders', key))
      const refused = await log.append(request('orders', 'd')).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(refused).toBeInstanceOf(EngineError)
      expect(refused).toMatchObject({ code: 'INGEST_LOG_FULL' })
      expect((refused as EngineError).retryAfterSeconds).toBeGreaterThanOrEqual(1)
      expect((await log.depth()).get('orders')?.queued).toBe(3)

      const { delivered, consumer } = collect(log)
      await eventually(async () => {
        expect(delivered).toHaveLength(3)
        expect((await log.depth()).get('orders')?.queued ?? 0).toBe(0)
      })
      // Room again: the refused key is accepted as a new request now.
      const later = await log.append(request('orders', 'd'))
      expect(later.duplicate).toBe(false)
      await eventually(() => {
        expect(delivered.map((logged) => logged.key).sort()).toEqual(['a', 'b', 'c', 'd'])
      })
      await consumer.stop()
    })

    it('finds nothing for an id it never had', async () => {
      const log = await open()
      expect(await log.find(randomUUID())).toBeUndefined()
      expect(await log.find('not-a-request-id')).toBeUndefined()
    })
  })
}
