import type {
  Attributes,
  Counter,
  Histogram,
  Meter,
  MeterProvider,
  ObservableResult,
} from '@opentelemetry/api'
import { ValueType, createNoopMeter, metrics } from '@opentelemetry/api'
import type { BatchSummary } from './instrumentation'
import { INSTRUMENTATION_SCOPE, SluiceAttributes } from '@sluice/contract'

/*
 * Sluice's metrics. Durations are in seconds, like the semantic conventions' own
 * `db.client.operation.duration`. The metrics API has no proxy meter: a meter taken before the
 * SDK is registered stays a no-op forever, so instruments are (re)created whenever the global
 * MeterProvider changes.
 */

const SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
const SECONDS_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]

/**
 * Names of Sluice's metrics, for dashboards and tests. Every one carries `sluice.pipeline.name`.
 *
 * @example
 * import { SluiceMetrics } from '@sluice/pipeline-core'
 * // Prometheus shows `sluice.batch.duration` (seconds) as `sluice_batch_duration` with `# UNIT s`.
 * const isBatchDuration = metric.descriptor.name === SluiceMetrics.batchDuration
 */
export const SluiceMetrics = {
  /** Histogram, `{query}`: queries per batch. */
  batchSize: 'sluice.batch.size',
  /** Histogram, `s`: wall time of a batch, queue excluded. */
  batchDuration: 'sluice.batch.duration',
  /** Counter, `{query}`: finished queries by `sluice.query.outcome`. */
  queries: 'sluice.queries',
  /** Counter, `{query}`: queries answered by a merged or deduplicated statement. */
  queriesOptimized: 'sluice.queries.optimized',
  /** Observable gauge, `{query}`: queries waiting in a pipeline's queue. */
  queueDepth: 'sluice.queue.depth',
  /** Histogram, `s`: semconv's duration of one statement. */
  statementDuration: 'db.client.operation.duration',
} as const

class Instruments {
  readonly batchSize: Histogram
  readonly batchDuration: Histogram
  readonly queries: Counter
  readonly optimized: Counter
  readonly statementDuration: Histogram

  constructor(meter: Meter, queueDepths: ReadonlyMap<string, number>) {
    this.batchSize = meter.createHistogram(SluiceMetrics.batchSize, {
      description: 'Queries per batch.',
      unit: '{query}',
      valueType: ValueType.INT,
      advice: { explicitBucketBoundaries: SIZE_BUCKETS },
    })
    this.batchDuration = meter.createHistogram(SluiceMetrics.batchDuration, {
      description: 'Time to run a batch, from its first statement to its last result.',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    })
    this.queries = meter.createCounter(SluiceMetrics.queries, {
      description: 'Finished queries by outcome.',
      unit: '{query}',
      valueType: ValueType.INT,
    })
    this.optimized = meter.createCounter(SluiceMetrics.queriesOptimized, {
      description: 'Queries answered by a merged or deduplicated statement instead of their own.',
      unit: '{query}',
      valueType: ValueType.INT,
    })
    this.statementDuration = meter.createHistogram(SluiceMetrics.statementDuration, {
      description: 'Duration of database client operations.',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    })
    const queueDepth = meter.createObservableGauge(SluiceMetrics.queueDepth, {
      description: 'Queries waiting in the queue of a pipeline.',
      unit: '{query}',
      valueType: ValueType.INT,
    })
    queueDepth.addCallback((result: ObservableResult) => {
      for (const [pipeline, depth] of queueDepths)
        result.observe(depth, { [SluiceAttributes.pipelineName]: pipeline })
    })
  }
}

const OUTCOMES = [
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['skipped', 'skipped'],
  ['rolledBack', 'rolled_back'],
] as const

/** Records Sluice's metrics on whatever MeterProvider is registered; near-free when none is. */
export class PipelineMetrics {
  private readonly queueDepths = new Map<string, number>()
  private provider: MeterProvider | undefined
  private instruments: Instruments | undefined

  private current(): Instruments | undefined {
    const provider = metrics.getMeterProvider()
    if (provider !== this.provider) {
      this.provider = provider
      const meter = provider.getMeter(INSTRUMENTATION_SCOPE)
      const noop = meter === createNoopMeter() || meter.constructor.name === 'NoopMeter'
      this.instruments = noop ? undefined : new Instruments(meter, this.queueDepths)
    }
    return this.instruments
  }

  recordQueueDepth(pipeline: string, depth: number): void {
    // Only a map write: the gauge reads it at collection time.
    this.queueDepths.set(pipeline, depth)
    this.current()
  }

  recordBatch(pipeline: string, size: number, summary: BatchSummary): void {
    const instruments = this.current()
    if (!instruments) return
    const attributes = { [SluiceAttributes.pipelineName]: pipeline }
    instruments.batchSize.record(size, attributes)
    instruments.batchDuration.record(summary.durationMs / 1000, attributes)
    for (const [field, outcome] of OUTCOMES) {
      const count = summary[field]
      if (count > 0) {
        instruments.queries.add(count, {
          [SluiceAttributes.pipelineName]: pipeline,
          [SluiceAttributes.queryOutcome]: outcome,
        })
      }
    }
    if (summary.merged > 0) {
      instruments.optimized.add(summary.merged, {
        ...attributes,
        [SluiceAttributes.optimization]: 'merged',
      })
    }
    if (summary.deduplicated > 0) {
      instruments.optimized.add(summary.deduplicated, {
        ...attributes,
        [SluiceAttributes.optimization]: 'deduplicated',
      })
    }
  }

  /** Whether statement durations should be measured at all. */
  get statementsEnabled(): boolean {
    return this.current() !== undefined
  }

  recordStatement(seconds: number, attributes: Attributes): void {
    this.current()?.statementDuration.record(seconds, attributes)
  }
}
