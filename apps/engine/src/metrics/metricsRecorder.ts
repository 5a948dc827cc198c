import { EventEmitter } from 'node:events'
import type { BatchEvent } from '@sluice/pipeline-core'
import type { MetricsHistory, MetricsSample, MetricsTick } from '@sluice/contract'
import type { MetricsService } from '../trpc/services'
import { liveTicks } from './liveTicks'
import { percentile } from './percentile'

/** One hour of one-second samples. */
const historySeconds = 3_600

/** What the recorder reads from a pipeline each second. */
export interface SampledPipeline {
  readonly name: string
  readonly configuredBatchSize: number
  readonly queueDepth: number
  readonly effectiveBatchSize: number
}

interface SecondAccumulator {
  succeeded: number
  failed: number
  sizes: number[]
  latencies: number[]
}

const emptyAccumulator = (): SecondAccumulator => ({
  succeeded: 0,
  failed: 0,
  sizes: [],
  latencies: [],
})

const round = (value: number | null, digits = 2): number | null =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits

/**
 * Turns batch events into one sample per second per pipeline (queries/s, success rate, batch size,
 * batch latency p50/p95/p99, queue depth, effective batch size), keeps the last hour, and streams
 * each second's samples to live subscribers.
 *
 * @example
 * const recorder = new MetricsRecorder(() => registry.all().map(toSampled))
 * registry.onBatch((batch) => recorder.recordBatch(batch))
 * recorder.start()
 */
export class MetricsRecorder implements MetricsService {
  readonly #pipelines: () => readonly SampledPipeline[]
  readonly #current = new Map<string, SecondAccumulator>()
  readonly #history = new Map<string, MetricsSample[]>()
  readonly #ticks = new EventEmitter()
  readonly #stopped = new AbortController()
  #lastTick: MetricsTick | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(pipelines: () => readonly SampledPipeline[]) {
    this.#pipelines = pipelines
    this.#ticks.setMaxListeners(0)
  }

  /** Counts a finished batch in the current second. */
  recordBatch(batch: BatchEvent): void {
    let accumulator = this.#current.get(batch.pipeline)
    if (!accumulator) {
      accumulator = emptyAccumulator()
      this.#current.set(batch.pipeline, accumulator)
    }
    accumulator.succeeded += batch.succeeded
    accumulator.failed += batch.failed + batch.skipped + batch.rolledBack
    accumulator.sizes.push(batch.size)
    accumulator.latencies.push(batch.durationMs)
  }

  /** Samples once a second, on the second. */
  start(): void {
    const schedule = (): void => {
      this.#timer = setTimeout(
        () => {
          this.sample(Math.floor(Date.now() / 1000) * 1000 - 1000)
          schedule()
        },
        1000 - (Date.now() % 1000) + 5,
      )
      this.#timer.unref()
    }
    schedule()
  }

  /** Closes the one-second window that started at `at` and tells subscribers. Public for tests. */
  sample(at: number): MetricsTick {
    const samples: MetricsSample[] = []
    const live = new Set<string>()
    for (const pipeline of this.#pipelines()) {
      live.add(pipeline.name)
      const accumulator = this.#current.get(pipeline.name) ?? emptyAccumulator()
      const finished = accumulator.succeeded + accumulator.failed
      const batches = accumulator.sizes.length
      const sample: MetricsSample = {
        pipeline: pipeline.name,
        at,
        queriesPerSecond: finished,
        succeeded: accumulator.succeeded,
        failed: accumulator.failed,
        successRate: finished === 0 ? null : round(accumulator.succeeded / finished, 4),
        batches,
        avgBatchSize:
          batches === 0
            ? null
            : round(accumulator.sizes.reduce((sum, size) => sum + size, 0) / batches),
        maxBatchSize: batches === 0 ? null : Math.max(...accumulator.sizes),
        latencyP50Ms: round(percentile(accumulator.latencies, 50)),
        latencyP95Ms: round(percentile(accumulator.latencies, 95)),
        latencyP99Ms: round(percentile(accumulator.latencies, 99)),
        queueDepth: pipeline.queueDepth,
        configuredBatchSize: pipeline.configuredBatchSize,
        effectiveBatchSize: pipeline.effectiveBatchSize,
      }
      samples.push(sample)
      let series = this.#history.get(pipeline.name)
      if (!series) {
        series = []
        this.#history.set(pipeline.name, series)
      }
      series.push(sample)
      if (series.length > historySeconds) series.splice(0, series.length - historySeconds)
    }
    this.#current.clear()
    // Deleted pipelines' history goes with them.
    for (const name of this.#history.keys()) if (!live.has(name)) this.#history.delete(name)
    const tick = { at, samples }
    this.#lastTick = tick
    this.#ticks.emit('tick', tick)
    return tick
  }

  history(pipeline: string | undefined, windowSeconds: number): MetricsHistory {
    const since = Math.floor(Date.now() / 1000) * 1000 - windowSeconds * 1000
    const names = pipeline === undefined ? [...this.#history.keys()].sort() : [pipeline]
    return {
      series: names.map((name) => ({
        pipeline: name,
        samples: (this.#history.get(name) ?? []).filter((sample) => sample.at >= since),
      })),
    }
  }

  async *live(
    pipelines: readonly string[] | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<MetricsTick> {
    const wanted = pipelines === undefined ? undefined : new Set(pipelines)
    const stop = signal ? AbortSignal.any([signal, this.#stopped.signal]) : this.#stopped.signal
    const only = (tick: MetricsTick): MetricsTick =>
      wanted === undefined
        ? tick
        : { at: tick.at, samples: tick.samples.filter((sample) => wanted.has(sample.pipeline)) }
    for await (const tick of liveTicks<MetricsTick>(this.#ticks, () => this.#lastTick, stop))
      yield only(tick)
  }

  /** Stops sampling and ends every live stream. */
  stop(): void {
    clearTimeout(this.#timer)
    this.#stopped.abort()
  }
}
