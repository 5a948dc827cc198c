import type { SpanContext } from '@opentelemetry/api'
import { classifyLoaded, loadParser } from '../optimizer'
import type { Classification } from '../optimizer'
import type { PipelineInstrumentation } from '../tracing/instrumentation'
import type { QueryResult, Strategy } from '../types'
import type { QueryQueue } from './queryQueue'
import type { QueuedQuery } from './queuedQuery'
import { validateQueryStatement } from './queryValidation'
import type { ValidQuery } from './queryValidation'

/**
 * An accepted query: its id, and the promise of its one result (never rejects).
 *
 * @example
 * const { id, result }: AcceptedQuery = await pipeline.addQuery('SELECT 1')
 */
export interface AcceptedQuery {
  readonly id: string
  readonly result: Promise<QueryResult>
}

/** What the intake needs from its pipeline. */
export interface IntakeHooks {
  /** Throws PIPELINE_CLOSED / PIPELINE_HALTED when the pipeline takes no more queries. */
  assertAccepting(): void
  /** The pipeline's strategy now: queries keep the one they were accepted under. */
  strategy(): Strategy
  /** Called after queries were added to the queue. */
  queued(count: number): void
}

/**
 * Turns validated queries into queued ones, in call order: checks them with the parser (one
 * statement, the right number of params), reserves room (waiting while the queue is full), gives
 * each an id and a submission sequence number, and hands out the promise of its result.
 */
export class QueryIntake {
  private nextSeq = 0
  private parserLoaded = false
  /** Calls in `accept` not yet queued: later calls wait behind them, keeping call order. */
  private slowCalls = 0
  private readonly parserLoad: Promise<boolean>

  constructor(
    private readonly queue: QueryQueue,
    private readonly instrumentation: PipelineInstrumentation,
    private readonly idPrefix: string,
    private readonly hooks: IntakeHooks,
  ) {
    this.parserLoad = loadParser().then(
      () => (this.parserLoaded = true),
      () => false,
    )
  }

  /** The sequence number the next accepted query will get (all earlier ones are below it). */
  get nextSequence(): number {
    return this.nextSeq
  }

  /**
   * Accepts queries (a group when `group` is set), or throws PipelineError naming the query
   * (`labels[i]`) that was wrong. Nothing is queued unless all are valid.
   */
  async accept(
    queries: readonly ValidQuery[],
    labels: readonly string[],
    options: {
      readonly wait: boolean
      readonly group: boolean
      readonly callerContext?: SpanContext | undefined
    },
  ): Promise<AcceptedQuery[]> {
    this.slowCalls++
    try {
      if (!this.parserLoaded || this.slowCalls > 1) await this.parserLoad
      this.check(queries, labels)
      if (!this.queue.tryReserve(queries.length)) {
        if (!options.wait) throw this.queue.fullError()
        await this.queue.waitForRoom(queries.length)
        try {
          this.hooks.assertAccepting()
        } catch (error) {
          this.queue.unreserve(queries.length)
          throw error
        }
      }
      return this.enqueue(queries, options.group, options.callerContext)
    } finally {
      this.slowCalls--
    }
  }

  /**
   * Accepts at once, without a promise, when nothing can be ahead: the parser is loaded, no
   * earlier call is still in `accept`, and the queue has room. Returns undefined otherwise (call
   * `accept`); throws as `accept` does. Every promise saved counts once an OpenTelemetry SDK has
   * turned on AsyncLocalStorage's promise hooks: they cost microseconds per promise on Node 20.
   */
  acceptNow(
    queries: readonly ValidQuery[],
    labels: readonly string[],
    group: boolean,
    callerContext?: SpanContext,
  ): AcceptedQuery[] | undefined {
    if (!this.parserLoaded || this.slowCalls > 0) return undefined
    this.check(queries, labels)
    if (!this.queue.tryReserve(queries.length)) return undefined
    return this.enqueue(queries, group, callerContext)
  }

  /** The parser's checks (one statement, the right number of params), then the pipeline's state. */
  private check(queries: readonly ValidQuery[], labels: readonly string[]): void {
    queries.forEach((query, index) => {
      validateQueryStatement(query, this.classify(query.sql), labels[index])
    })
    this.hooks.assertAccepting()
  }

  private classify(sql: string): Classification | undefined {
    if (!this.parserLoaded) return undefined
    try {
      return classifyLoaded(sql)
    } catch {
      // Unclassifiable: PostgreSQL judges it when it runs.
      return undefined
    }
  }

  private enqueue(
    queries: readonly ValidQuery[],
    group: boolean,
    explicitCaller: SpanContext | undefined,
  ): AcceptedQuery[] {
    const groupId = group && queries.length > 1 ? `g${this.nextSeq}` : undefined
    const now = performance.now()
    const callerContext = explicitCaller ?? this.instrumentation.captureCallerContext()
    const strategy = this.hooks.strategy()
    const accepted: AcceptedQuery[] = []
    const queued = queries.map((query): QueuedQuery => {
      const seq = this.nextSeq++
      const id = `${this.idPrefix}-${seq}`
      let resolve!: (result: QueryResult) => void
      const result = new Promise<QueryResult>((done) => (resolve = done))
      accepted.push({ id, result })
      return {
        id,
        seq,
        sql: query.sql,
        params: query.params,
        submittedParams: query.submittedParams,
        strategy,
        enqueuedAt: now,
        resolve,
        ...(query.callbackId !== undefined ? { callbackId: query.callbackId } : {}),
        ...(groupId !== undefined ? { groupId } : {}),
        ...(callerContext !== undefined ? { callerContext } : {}),
      }
    })
    this.queue.push(queued)
    this.hooks.queued(queued.length)
    return accepted
  }
}
