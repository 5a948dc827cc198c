import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getFromEngine, mustPutPipeline } from '../testing/engineApi'
import { startEngineFixture, type EngineFixture } from '../testing/engineFixture'
import { reportFigures } from '../testing/figures'
import { sleep } from '../testing/timing'

/*
 * Browsers come and go: every console tab opens a live metrics stream (SSE) and drops it without
 * a goodbye. Hundreds of streams opened and abandoned must not leave sockets, timers or memory
 * behind in the engine.
 */

const rounds = 4
const perRound = 60

async function openStream(base: string): Promise<AbortController> {
  const controller = new AbortController()
  const response = await fetch(`${base}/trpc/metrics.live?input=${encodeURIComponent('{}')}`, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  })
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader()
  // Wait for the first event, so the subscription really started on the server.
  await reader?.read()
  return controller
}

describe('live metrics subscriptions churning', () => {
  let fixture: EngineFixture
  beforeAll(async () => {
    fixture = await startEngineFixture('sse_churn')
    await mustPutPipeline(fixture.engine.baseUrl, 'watched', { batchSize: 10, flushIntervalMs: 5 })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('leaves no sockets or memory behind when streams are dropped', async () => {
    const base = fixture.engine.baseUrl
    // One stream opened and dropped first, so lazily created things are there for the baseline.
    ;(await openStream(base)).abort()
    await sleep(500)
    const baselineFiles = fixture.engine.openFiles() ?? 0
    const baselineRss = fixture.engine.rssBytes() ?? 0
    let peakFiles = 0
    for (let round = 0; round < rounds; round += 1) {
      const streams = await Promise.all(Array.from({ length: perRound }, () => openStream(base)))
      peakFiles = Math.max(peakFiles, fixture.engine.openFiles() ?? 0)
      for (const stream of streams) stream.abort()
      await sleep(300)
    }
    const closingStarted = performance.now()
    // Dropped streams are noticed within seconds (the client closes its sockets lazily): poll.
    const settled = Date.now() + 15_000
    while ((fixture.engine.openFiles() ?? 0) > baselineFiles + 5 && Date.now() < settled)
      await sleep(250)
    const afterFiles = fixture.engine.openFiles() ?? 0
    const afterRss = fixture.engine.rssBytes() ?? 0
    const health = await getFromEngine(base, '/healthz')
    reportFigures('metrics stream churn', {
      streams: rounds * perRound,
      baselineFiles,
      peakFiles,
      afterFiles,
      closedWithinMs: performance.now() - closingStarted,
      baselineRssMb: baselineRss / 1024 / 1024,
      afterRssMb: afterRss / 1024 / 1024,
    })
    expect(peakFiles, 'the streams were open at once').toBeGreaterThan(baselineFiles + perRound / 2)
    expect(afterFiles, 'sockets of dropped streams are closed').toBeLessThanOrEqual(
      baselineFiles + 5,
    )
    expect(afterRss - baselineRss).toBeLessThan(64 * 1024 * 1024)
    expect(health.status).toBe(200)
  })
})
