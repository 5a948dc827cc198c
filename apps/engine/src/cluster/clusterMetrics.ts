import { EventEmitter } from 'node:events'
import type {
  ClusterMetricsHistory,
  ClusterMetricsTick,
  MetricsSample,
  MetricsTick,
} from '@sluice/contract'
import type { Logger } from '../logger'
import type { MetricsService } from '../trpc/services'
import { liveTicks } from '../metrics/liveTicks'
import type { MetricsExchange } from './metricsExchange'

/** The cluster's history spans what each engine keeps of its own: one hour. */
const historySeconds = 3_600

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0)
const highest = (values: readonly (number | null)[]): number | null => {
  const present = values.filter((value): value is number => value !== null)
  return present.length === 0 ? null : Math.max(...present)
}
const round = (value: number, digits: number): number =>
  Math.round(value * 10 ** digits) / 10 ** digits

/**
 * One pipeline's second across engines: counts, rates, batches and queue depths add up, the
 * average batch size is weighted by batches, latency percentiles and sizes take the highest
 * engine's (percentiles of different engines cannot be added).
 *
 * @example
 * const total = addSamples([engine1Sample, engine2Sample])
 */
export function addSamples(samples: readonly MetricsSample[]): MetricsSample {
  const first = samples[0]
  if (!first) throw new Error('addSamples needs at least one sample')
  const succeeded = sum(samples.map((sample) => sample.succeeded))
  const failed = sum(samples.map((sample) => sample.failed))
  const batches = sum(samples.map((sample) => sample.batches))
  const sized = samples.filter((sample) => sample.avgBatchSize !== null)
  return {
    pipeline: first.pipeline,
    at: first.at,
    queriesPerSecond: sum(samples.map((sample) => sample.queriesPerSecond)),
    succeeded,
    failed,
    successRate: succeeded + failed === 0 ? null : round(succeeded / (succeeded + failed), 4),
    batches,
    avgBatchSize:
      batches === 0
        ? null
        : round(
            sum(sized.map((sample) => (sample.avgBatchSize ?? 0) * sample.batches)) / batches,
            2,
          ),
    maxBatchSize: highest(samples.map((sample) => sample.maxBatchSize)),
    latencyP50Ms: highest(samples.map((sample) => sample.latencyP50Ms)),
    latencyP95Ms: highest(samples.map((sample) => sample.latencyP95Ms)),
    latencyP99Ms: highest(samples.map((sample) => sample.latencyP99Ms)),
    queueDepth: sum(samples.map((sample) => sample.queueDepth)),
    configuredBatchSize: Math.max(...samples.map((sample) => sample.configuredBatchSize)),
    effectiveBatchSize: Math.max(...samples.map((sample) => sample.effectiveBatchSize)),
  }
}

/** Per-pipeline totals of one second, from every engine's samples of it. */
function totalsOf(engineSamples: readonly (readonly MetricsSample[])[]): MetricsSample[] {
  const byPipeline = new Map<string, MetricsSample[]>()
  for (const samples of engineSamples) {
    for (const sample of samples) {
      const group = byPipeline.get(sample.pipeline)
      if (group) group.push(sample)
      else byPipeline.set(sample.pipeline, [sample])
    }
  }
  return [...byPipeline.keys()].sort().map((name) => addSamples(byPipeline.get(name) ?? []))
}

/**
 * The cluster's numbers, as every engine answers them: this engine's seconds (from its
 * `MetricsRecorder`, unchanged) go out through the exchange, the others' come in, and the
 * cluster's totals per second are built with a per-engine breakdown. A second is sent live one
 * second after it closed, so the other engines' samples of it have arrived.
 *
 * @example
 * const cluster = new ClusterMetrics(identity.id, recorder, exchange, log)
 * await cluster.start()
 * const { series, engines } = cluster.history(undefined, 300)
 */
export class ClusterMetrics {
  readonly #selfId: string
  readonly #local: MetricsService
  readonly #exchange: MetricsExchange
  readonly #log: Logger
  /** Samples by engine, then by second. */
  readonly #seconds = new Map<string, Map<number, readonly MetricsSample[]>>()
  readonly #ticks = new EventEmitter()
  readonly #stopped = new AbortController()
  #lastTick: ClusterMetricsTick | undefined
  #pump: Promise<void> | undefined

  constructor(selfId: string, local: MetricsService, exchange: MetricsExchange, log: Logger) {
    this.#selfId = selfId
    this.#local = local
    this.#exchange = exchange
    this.#log = log
    this.#ticks.setMaxListeners(0)
  }

  get transport(): MetricsExchange['transport'] {
    return this.#exchange.transport
  }

  async start(): Promise<void> {
    await this.#exchange.start((engineId, tick) => {
      this.#keep(engineId, tick)
    })
    const ownTicks = this.#local.live(undefined, this.#stopped.signal)
    this.#pump = (async () => {
      for await (const tick of ownTicks) {
        this.#keep(this.#selfId, tick)
        this.#exchange.publish(tick)
        this.#emit(tick.at - 1000)
      }
    })().catch((error: unknown) => {
      if (!this.#stopped.signal.aborted)
        this.#log.error({ err: error }, 'cluster metrics stopped following this engine')
    })
  }

  #keep(engineId: string, tick: MetricsTick): void {
    let seconds = this.#seconds.get(engineId)
    if (!seconds) {
      seconds = new Map()
      this.#seconds.set(engineId, seconds)
    }
    seconds.set(tick.at, tick.samples)
    const cutoff = tick.at - historySeconds * 1000
    // Oldest first (insertion order): stop at the first second still kept.
    for (const at of seconds.keys()) {
      if (at > cutoff) break
      seconds.delete(at)
    }
  }

  /** The cluster's second `at` (every engine that sent it), or undefined when none did. */
  #tickAt(at: number): ClusterMetricsTick | undefined {
    const engines = [...this.#seconds.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([engineId, seconds]) => {
        const samples = seconds.get(at)
        return samples ? [{ engineId, samples: [...samples] }] : []
      })
    if (engines.length === 0) return undefined
    return { at, samples: totalsOf(engines.map((engine) => engine.samples)), engines }
  }

  #emit(at: number): void {
    const tick = this.#tickAt(at)
    if (!tick) return
    this.#lastTick = tick
    this.#ticks.emit('tick', tick)
  }

  /** The cluster's series over the last `windowSeconds`, and each engine's. */
  history(pipeline: string | undefined, windowSeconds: number): ClusterMetricsHistory {
    const since = Math.floor(Date.now() / 1000) * 1000 - windowSeconds * 1000
    const wanted = (sample: MetricsSample): boolean =>
      pipeline === undefined || sample.pipeline === pipeline
    const seriesOf = (samples: readonly MetricsSample[]) => {
      const byPipeline = new Map<string, MetricsSample[]>()
      for (const sample of samples) {
        const list = byPipeline.get(sample.pipeline)
        if (list) list.push(sample)
        else byPipeline.set(sample.pipeline, [sample])
      }
      return [...byPipeline.keys()].sort().map((name) => ({
        pipeline: name,
        samples: (byPipeline.get(name) ?? []).sort((a, b) => a.at - b.at),
      }))
    }
    const engines = [...this.#seconds.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([engineId, seconds]) => ({
        engineId,
        series: seriesOf(
          [...seconds.entries()]
            .filter(([at]) => at >= since)
            .flatMap(([, samples]) => samples.filter(wanted)),
        ),
      }))
      .filter((engine) => engine.series.length > 0)
    const allSeconds = new Set(
      [...this.#seconds.values()].flatMap((seconds) => [...seconds.keys()]),
    )
    const totals = [...allSeconds]
      .filter((at) => at >= since)
      .sort((a, b) => a - b)
      .flatMap((at) => (this.#tickAt(at)?.samples ?? []).filter(wanted))
    return { series: seriesOf(totals), engines }
  }

  /** Every second of the cluster until `signal` aborts, the latest one first. */
  async *live(
    pipelines: readonly string[] | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<ClusterMetricsTick> {
    const wanted = pipelines === undefined ? undefined : new Set(pipelines)
    const stop = signal ? AbortSignal.any([signal, this.#stopped.signal]) : this.#stopped.signal
    const only = (tick: ClusterMetricsTick): ClusterMetricsTick =>
      wanted === undefined
        ? tick
        : {
            at: tick.at,
            samples: tick.samples.filter((sample) => wanted.has(sample.pipeline)),
            engines: tick.engines.map((engine) => ({
              engineId: engine.engineId,
              samples: engine.samples.filter((sample) => wanted.has(sample.pipeline)),
            })),
          }
    for await (const tick of liveTicks<ClusterMetricsTick>(this.#ticks, () => this.#lastTick, stop))
      yield only(tick)
  }

  async stop(): Promise<void> {
    this.#stopped.abort()
    await this.#pump
    await this.#exchange.stop()
  }
}
