/*
 * Names Sluice puts on spans and metrics. Database ones follow the OpenTelemetry database
 * semantic conventions (stable since semconv 1.33); `sluice.*` ones are Sluice's own. Plain
 * strings, so the telemetry set-up can read them without loading pipeline-core (and `pg`) before
 * the SDK starts.
 */

/**
 * Attribute names of the `sluice.batch` span and of Sluice's metrics.
 *
 * @example
 * const pipeline = span.attributes[SluiceAttributes.pipelineName] // e.g. 'orders'
 */
export const SluiceAttributes = {
  pipelineName: 'sluice.pipeline.name',
  batchId: 'sluice.batch.id',
  batchSize: 'sluice.batch.size',
  batchStrategy: 'sluice.batch.strategy',
  batchStatements: 'sluice.batch.statements',
  batchSucceeded: 'sluice.batch.succeeded',
  batchFailed: 'sluice.batch.failed',
  batchSkipped: 'sluice.batch.skipped',
  batchRolledBack: 'sluice.batch.rolled_back',
  batchMerged: 'sluice.batch.merged',
  batchDeduplicated: 'sluice.batch.deduplicated',
  /** On `sluice.queries`: `succeeded` | `failed` | `skipped` | `rolled_back`. */
  queryOutcome: 'sluice.query.outcome',
  /** On `sluice.queries.optimized`: `merged` | `deduplicated`. */
  optimization: 'sluice.optimization',
} as const

/**
 * Database semantic-convention attribute names used on statement spans.
 *
 * @example
 * const sqlState = span.attributes[DbAttributes.responseStatusCode] // e.g. '23505'
 */
export const DbAttributes = {
  systemName: 'db.system.name',
  namespace: 'db.namespace',
  queryText: 'db.query.text',
  operationName: 'db.operation.name',
  collectionName: 'db.collection.name',
  operationBatchSize: 'db.operation.batch.size',
  responseStatusCode: 'db.response.status_code',
  errorType: 'error.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
} as const

/** `db.system.name` of every statement Sluice sends. */
export const DB_SYSTEM_POSTGRESQL = 'postgresql'

/**
 * Name of the span of one batch.
 *
 * @example
 * const batchSpans = exporter.getFinishedSpans().filter((span) => span.name === BATCH_SPAN_NAME)
 */
export const BATCH_SPAN_NAME = 'sluice.batch'

/** Instrumentation scope of Sluice's tracer and meter. */
export const INSTRUMENTATION_SCOPE = '@sluice/pipeline-core'
