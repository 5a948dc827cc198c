import type { MemberLoad, PipelineStatusView } from '@sluice/contract'

/** What the gauge reads: each pipeline's name and live status. */
export interface LoadedPipeline {
  readonly name: string
  status(): PipelineStatusView
}

/**
 * Measures this engine's load between two readings (one per heartbeat): what it runs, queries
 * finished per second, queue depth, in-flight queries, CPU and memory of the process.
 *
 * @example
 * const gauge = new MemberLoadGauge(() => registry.all())
 * const load = gauge.read()
 */
export class MemberLoadGauge {
  readonly #pipelines: () => readonly LoadedPipeline[]
  #finished = 0
  #cpu = process.cpuUsage()
  #at = performance.now()

  constructor(pipelines: () => readonly LoadedPipeline[]) {
    this.#pipelines = pipelines
    this.#finished = this.#finishedNow(this.#pipelines().map((pipeline) => pipeline.status()))
  }

  #finishedNow(statuses: readonly PipelineStatusView[]): number {
    return statuses.reduce((sum, status) => sum + status.succeeded + status.failed, 0)
  }

  read(): MemberLoad {
    const pipelines = this.#pipelines().map((pipeline) => ({
      name: pipeline.name,
      status: pipeline.status(),
    }))
    const statuses = pipelines.map((pipeline) => pipeline.status)
    const now = performance.now()
    const seconds = Math.max((now - this.#at) / 1000, 0.001)
    const finished = this.#finishedNow(statuses)
    const cpu = process.cpuUsage(this.#cpu)
    // A deleted pipeline takes its counts along: never a negative rate.
    const queriesPerSecond = Math.max(0, finished - this.#finished) / seconds
    this.#finished = finished
    this.#cpu = process.cpuUsage()
    this.#at = now
    return {
      pipelines: pipelines.map((pipeline) => ({
        name: pipeline.name,
        state: pipeline.status.state,
      })),
      queriesPerSecond: Math.round(queriesPerSecond * 10) / 10,
      queueDepth: statuses.reduce((sum, status) => sum + status.queueSize, 0),
      inFlight: statuses.reduce((sum, status) => sum + status.inFlight, 0),
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 1000) / 10,
      rssBytes: process.memoryUsage.rss(),
    }
  }
}
