import type { SpanContext } from '@opentelemetry/api'
import type { BatchQuery, Plan, Planner, PlanningContext, StatementOutcome } from '../plan/plan'
import { createPlainPlanner } from '../plan/plainPlanner'
import { optimizedQueries } from '../plan/optimizedQueries'
import { callerLinks } from '../tracing/callerLinks'
import type { PipelineInstrumentation } from '../tracing/instrumentation'
import type { BatchEvent, QueryError, QueryResult } from '../types'
import type { Strategy } from '@sluice/contract'
import { withLedgerRows } from '../idempotency/ledgerStatements'
import { BatchLedger, internalError } from './batchLedger'
import { BEGIN } from './executionContext'
import { beginText } from './transactionMode'
import type { ConnectionSource } from './connectionSource'
import type { ExecutionContext, StrategyRunner } from './executionContext'
import { RetryPolicy } from './retryPolicy'
import { RoundTripSession } from './roundTripSession'
import type { ResolvedSettings } from '../config/resolvedSettings'
import type { QueuedQuery } from '../pipeline/queuedQuery'
import { plannerFor } from '../pipeline/optimizerWiring'
import { runBestEffort } from './strategies/bestEffort'
import { createParallelRunner } from './strategies/parallel'
import { runSequential } from './strategies/sequential'
import { runTransactional } from './strategies/transactional'

/** What running a batch produced. */
export interface ExecutedBatch {
  /** One per query, in submission order. */
  readonly results: QueryResult[]
  readonly event: BatchEvent
  /** Set when a `sequential` batch stopped at a failure. */
  readonly haltedBy?: QueryError
}

const fallbackPlanner = createPlainPlanner()

/** SQLSTATE invalid_sql_statement_name: the prepared statement does not exist (any more). */
const UNKNOWN_PREPARED_STATEMENT = '26000'

/**
 * Runs one batch: plans it, runs the plan with the batch's strategy over pipelined connections,
 * and turns every query's outcome into exactly one QueryResult (an executor failure becomes a
 * reported failure of the queries it left open, never a lost query).
 */
export class BatchExecutor {
  /** Whether helper queries may be prepared statements (until the server forgets one). */
  private preparedHelpers = true

  constructor(
    private readonly pipelineName: string,
    private readonly source: ConnectionSource,
    private readonly instrumentation: PipelineInstrumentation,
  ) {}

  /**
   * Runs `queries` (all accepted under one strategy) with `settings`, the planner `settings`
   * choose (`optimize`), and the queries' own strategy.
   */
  async execute(
    batchId: string,
    queries: readonly QueuedQuery[],
    settings: ResolvedSettings,
  ): Promise<ExecutedBatch> {
    const startedAt = Date.now()
    const start = performance.now()
    const strategy = queries[0]?.strategy ?? settings.strategy
    const links: SpanContext[] = []
    for (const query of queries) if (query.callerContext) links.push(query.callerContext)
    const trace = this.instrumentation.startBatch({
      pipeline: this.pipelineName,
      strategy,
      batchId,
      size: queries.length,
      links,
    })
    const ledger = new BatchLedger(queries.length)
    const batchQueries = queries.map((query, index): BatchQuery => ({
      index,
      sql: query.sql,
      params: query.params,
      groupId: query.groupId,
      classification: query.classification,
      ledger: query.ledger,
    }))
    const plan = await this.plan(plannerFor(settings), batchQueries, strategy)
    // Only keyed queries' statements change; a batch without any is left as planned.
    const planned = queries.some((query) => query.ledger !== undefined)
      ? withLedgerRows(plan, batchQueries)
      : plan
    const mode = queries[0]?.transaction
    const context: ExecutionContext = {
      statements: planned.statements,
      ledger,
      begin: mode ? { control: 'BEGIN', text: beginText(mode) } : BEGIN,
      retry: new RetryPolicy(settings.retry),
      fewerCommits: settings.optimize,
      openSession: () => new RoundTripSession(this.source, trace),
    }
    let haltedBy: QueryError | undefined
    try {
      haltedBy = (await runnerFor(strategy, settings.maxConnections)(context)).haltedBy
    } catch (error) {
      ledger.settleFailed(ledger.unsettled(), internalError('the batch executor failed', error))
    }
    // A plan that left a query out is a planner bug: report it rather than lose the query.
    ledger.settleFailed(ledger.unsettled(), internalError('the plan did not run this query'))

    const optimized =
      plan.merged + plan.deduplicated > 0 ? optimizedQueries(plan, queries.length) : undefined
    const { results, counts } = resultsOf(queries, ledger, batchId, start, optimized)
    const durationMs = performance.now() - start
    const summary = {
      ...counts,
      merged: plan.merged,
      deduplicated: plan.deduplicated,
      durationMs,
    }
    trace.end(summary)
    const event: BatchEvent = {
      batchId,
      pipeline: this.pipelineName,
      strategy,
      size: queries.length,
      statements: plan.statements.length,
      effectiveBatchSize: 0,
      startedAt,
      ...summary,
      ...(trace.traceId !== undefined ? { traceId: trace.traceId } : {}),
      ...(links.length > 0 ? { callers: distinctCallers(links) } : {}),
    }
    return haltedBy ? { results, event, haltedBy } : { results, event }
  }

  /** What a planner may ask of the database: helper queries on a connection of the pipeline. */
  planningContext(strategy: Strategy): PlanningContext {
    return {
      strategy,
      query: (text, values, options) => this.helperQuery(text, values ?? [], options?.preparedName),
    }
  }

  private async plan(
    planner: Planner,
    queries: readonly BatchQuery[],
    strategy: Strategy,
  ): Promise<Plan> {
    const context = this.planningContext(strategy)
    try {
      return await planner.plan(queries, context)
    } catch {
      // The optimizer must never cost a query its result: run the batch unoptimized instead.
      return fallbackPlanner.plan(queries, context)
    }
  }

  private helperQuery(
    text: string,
    values: readonly unknown[],
    preparedName: string | undefined,
  ): Promise<StatementOutcome> {
    return this.source.withConnection(async (connection) => {
      const named = preparedName !== undefined && this.preparedHelpers
      let [reply] = await connection.run([
        named ? { text, values, preparedName } : { text, values },
      ])
      if (named && reply?.kind === 'error' && reply.error.code === UNKNOWN_PREPARED_STATEMENT) {
        // Something deallocated it behind the client's back (DISCARD ALL on a shared pool, a
        // transaction-mode pooler): from now on this pipeline's helpers go unprepared.
        this.preparedHelpers = false
        ;[reply] = await connection.run([{ text, values }])
      }
      if (reply?.kind !== 'ok') throw new Error(reply ? reply.error.message : 'no answer')
      return { rows: reply.rows, rowCount: reply.rowCount }
    })
  }
}

/** How many queries of a batch ended in each status. */
interface StatusCounts {
  succeeded: number
  failed: number
  skipped: number
  rolledBack: number
}

/**
 * Every query's result from the ledger, in submission order, counted by status in the same
 * pass. Each result gets its own `rows` array (statements may share an empty one).
 */
function resultsOf(
  queries: readonly QueuedQuery[],
  ledger: BatchLedger,
  batchId: string,
  start: number,
  optimized: ReturnType<typeof optimizedQueries> | undefined,
): { results: QueryResult[]; counts: StatusCounts } {
  const counts: StatusCounts = { succeeded: 0, failed: 0, skipped: 0, rolledBack: 0 }
  const results = new Array<QueryResult>(queries.length)
  const now = performance.now()
  for (let index = 0; index < queries.length; index++) {
    const query = queries[index] as QueuedQuery
    const outcome = ledger.outcome(index)
    const status = outcome?.status ?? 'failed'
    if (status === 'rolled_back') counts.rolledBack++
    else counts[status]++
    const rows = outcome?.rows
    const result: QueryResult = {
      queryId: query.id,
      status,
      success: status === 'succeeded',
      rows: rows === undefined || rows.length === 0 ? [] : rows,
      rowCount: outcome?.rowCount ?? 0,
      retryCount: ledger.retryCount(index),
      batchId,
      durationMs: Math.max(0, (outcome?.finishedAt ?? now) - start),
    }
    if (outcome?.error) result.error = outcome.error
    if (query.callbackId !== undefined) result.callbackId = query.callbackId
    if (outcome?.traceId !== undefined) result.traceId = outcome.traceId
    if (outcome?.spanId !== undefined) result.spanId = outcome.spanId
    if (query.classification) result.fingerprint = query.classification.fingerprint
    const optimizedAs = optimized?.[index]
    if (optimizedAs !== undefined) result.optimizedAs = optimizedAs
    results[index] = result
  }
  return { results, counts }
}

/** The batch span's links as ids: distinct valid callers, at most as many as a span keeps. */
function distinctCallers(links: readonly SpanContext[]): { traceId: string; spanId: string }[] {
  return callerLinks(links).map(({ context }) => ({
    traceId: context.traceId,
    spanId: context.spanId,
  }))
}

function runnerFor(strategy: Strategy, maxConnections: number): StrategyRunner {
  switch (strategy) {
    case 'sequential':
      return runSequential
    case 'transactional':
      return runTransactional
    case 'parallel':
      return createParallelRunner(() => maxConnections)
    case 'best_effort':
      return runBestEffort
  }
}
