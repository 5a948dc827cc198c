import type {
  BatchList,
  ClusterMetricsHistory,
  ClusterMetricsTick,
  ClusterView,
  FailedQueryView,
  FailureFilter,
  FailurePage,
  FailurePageRequest,
  FlushResult,
  Health,
  MetricsHistory,
  MetricsTick,
  PipelineConfig,
  PipelineConfigPatch,
  PipelineView,
  RetryReport,
  TargetCheck,
  TargetView,
} from '@sluice/contract'
import type { AccessServices } from './accessServices'

/*
 * What the tRPC routers need from the engine, as interfaces: the routers (and the `AppRouter`
 * type the console imports) depend on these, not on the classes behind them.
 */

/** Named pipelines: lifecycle and live configuration. */
export interface PipelineService {
  list(): Promise<PipelineView[]>
  get(name: string): Promise<PipelineView>
  create(name: string, config: PipelineConfig, paused: boolean): Promise<PipelineView>
  update(name: string, patch: PipelineConfigPatch): Promise<PipelineView>
  delete(name: string): Promise<void>
  pause(name: string): Promise<PipelineView>
  resume(name: string): Promise<PipelineView>
  flush(name: string): Promise<FlushResult>
}

/** The failed-queries store and retries. */
export interface FailureService {
  list(filter: FailureFilter, page: FailurePageRequest): Promise<FailurePage>
  count(filter: FailureFilter): Promise<number>
  get(id: string): Promise<FailedQueryView>
  retry(
    ids: readonly string[],
    options: { params?: readonly unknown[] | undefined; allowOutcomeUnknown: boolean },
  ): Promise<RetryReport>
  /** `ids`: every failed query it ran again (for the audit log; the report has counts only). */
  retryAll(filter: FailureFilter): Promise<{ report: RetryReport; ids: string[] }>
  /** The ids it discarded (failing ones among those given). */
  discard(ids: readonly string[]): Promise<string[]>
  discardAll(filter: FailureFilter): Promise<string[]>
}

/** Per-second samples, live and for the last hour. */
export interface MetricsService {
  history(pipeline: string | undefined, windowSeconds: number): MetricsHistory
  /** Every second's samples until `signal` aborts. */
  live(
    pipelines: readonly string[] | undefined,
    signal: AbortSignal | undefined,
  ): AsyncIterable<MetricsTick>
}

/** Recent batches with their trace ids. */
export interface BatchService {
  list(pipeline: string | undefined, limit: number): BatchList
}

/** Named data sources; never exposes a connection string or password. */
export interface TargetService {
  list(): TargetView[]
  check(name: string): Promise<TargetCheck>
}

/** Liveness and readiness. */
export interface HealthService {
  get(): Promise<Health>
}

/** The engines on this database as one cluster: members and the cluster's metrics. */
export interface ClusterService {
  members(): Promise<ClusterView>
  /** The cluster's totals per pipeline and second, with each engine's own series. */
  metricsHistory(pipeline: string | undefined, windowSeconds: number): ClusterMetricsHistory
  /** Every second's cluster totals and per-engine samples until `signal` aborts. */
  metricsLive(
    pipelines: readonly string[] | undefined,
    signal: AbortSignal | undefined,
  ): AsyncIterable<ClusterMetricsTick>
}

/** Everything a tRPC call can reach. */
export interface EngineServices {
  readonly pipelines: PipelineService
  readonly failures: FailureService
  readonly metrics: MetricsService
  readonly batches: BatchService
  readonly targets: TargetService
  readonly health: HealthService
  readonly cluster: ClusterService
  /** Sign-in, users, the audit log and the audited changes. */
  readonly access: AccessServices
}
