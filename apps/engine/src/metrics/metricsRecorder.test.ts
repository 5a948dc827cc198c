import type { BatchEvent } from '@sluice/pipeline-core'
import { describe, expect, it } from 'vitest'
import { MetricsRecorder, type SampledPipeline } from './metricsRecorder'
import { percentile } from './percentile'

const batch = (pipeline: string, size: number, durationMs: number, failed = 0): BatchEvent => ({
  batchId: `b-${Math.random()}`,
  pipeline,
  strategy: 'best_effort',
  size,
  statements: size,
  durationMs,
  succeeded: size - failed,
  failed,
  skipped: 0,
  rolledBack: 0,
  deduplicated: 0,
  merged: 0,
  effectiveBatchSize: 100,
  startedAt: Date.now(),
})

describe('percentile', () => {
  it('takes the nearest rank', () => {
    expect(percentile([], 50)).toBeNull()
    expect(percentile([5, 1, 3], 50)).toBe(3)
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95)
    expect(percentile([7], 99)).toBe(7)
  })
})

describe('MetricsRecorder', () => {
  it('turns one second of batches into one sample per pipeline, and keeps history', () => {
    let pipelines: SampledPipeline[] = [
      { name: 'a', configuredBatchSize: 100, queueDepth: 4, effectiveBatchSize: 80 },
      { name: 'b', configuredBatchSize: 10, queueDepth: 0, effectiveBatchSize: 10 },
    ]
    const recorder = new MetricsRecorder(() => pipelines)
    recorder.recordBatch(batch('a', 10, 4))
    recorder.recordBatch(batch('a', 30, 12, 3))
    const now = Math.floor(Date.now() / 1000) * 1000
    const tick = recorder.sample(now - 1000)
    expect(tick.samples).toEqual([
      {
        pipeline: 'a',
        at: now - 1000,
        queriesPerSecond: 40,
        succeeded: 37,
        failed: 3,
        successRate: 0.925,
        batches: 2,
        avgBatchSize: 20,
        maxBatchSize: 30,
        latencyP50Ms: 4,
        latencyP95Ms: 12,
        latencyP99Ms: 12,
        queueDepth: 4,
        configuredBatchSize: 100,
        effectiveBatchSize: 80,
      },
      expect.objectContaining({
        pipeline: 'b',
        queriesPerSecond: 0,
        successRate: null,
        latencyP50Ms: null,
      }),
    ])
    // The next second starts empty.
    expect(recorder.sample(now).samples[0]).toMatchObject({ queriesPerSecond: 0, batches: 0 })
    expect(recorder.history('a', 60).series[0]?.samples.map((sample) => sample.at)).toEqual([
      now - 1000,
      now,
    ])
    expect(recorder.history(undefined, 60).series.map((series) => series.pipeline)).toEqual([
      'a',
      'b',
    ])
    // A deleted pipeline's history goes with it.
    pipelines = pipelines.filter((pipeline) => pipeline.name !== 'b')
    recorder.sample(now + 1000)
    expect(recorder.history(undefined, 60).series.map((series) => series.pipeline)).toEqual(['a'])
    recorder.stop()
  })
})
