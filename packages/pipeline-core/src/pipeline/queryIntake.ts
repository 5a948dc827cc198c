import type { SpanContext } from '@opentelemetry/api'
import { PipelineError } from '../errors'
import { classifyIfLoaded } from '../sql/classifySql'
import { loadParser, parserLoaded } from '../sql/parser'
import type { TransactionMode } from '../execution/transactionMode'
import { ledgerRefusal } from '../idempotency/ledgerStatements'
import { ledgerTableName } from '../idempotency/ledgerTable'
import type { IdempotencyLedger } from '../idempotency/ledgerTable'
import type { QueryResult } from '../types'
import type { BatchDispatcher } from './batchDispatcher'
import type { PipelineRuntime } from './pipelineRuntime'
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

/** How a set of queries asks to be admitted. */
export interface Admission {
  /** Queries of a group run in the same batch (atomically under `transactional`). */
  readonly group: boolean
  /** Wait while the queue has no room for all of them; false: refuse with QUEUE_FULL. */
  readonly wait: boolean
  readonly callerContext: SpanContext | undefined
  /** Keyed writes: each query's write carries its ledger row (see `IdempotencyLedger`). */
  readonly ledger?: IdempotencyLedger | undefined
  /** A group's own transaction mode (`transactional` only). */
  readonly transaction?: TransactionMode | undefined
}

/**
 * Admits queries to the pipeline, all of them or none, in call order: checks them with the
 * parser (one statement, nothing refused, the right number of params), asks the pipeline's state
 * (paused, halted and closed pipelines take nothing), reserves room for all of them at once
 * (waiting while the queue is full, unless asked not to), gives each an id and a submission
 * sequence number, and hands out the promise of its result. A refusal is a PipelineError whose
 * code is the reason; nothing of a refused call is queued.
 */
export class QueryIntake {
  private nextSeq = 0
  /** Calls in `admitLater` not yet queued: later calls wait behind them, keeping call order. */
  private slowCalls = 0

  constructor(
    private readonly runtime: PipelineRuntime,
    private readonly dispatcher: BatchDispatcher,
  ) {
    // Started at once, so the first queries rarely find it still loading.
    void loadParser().catch(() => undefined)
  }

  /** The sequence number the next accepted query will get (all earlier ones are below it). */
  get nextSequence(): number {
    return this.nextSeq
  }

  /**
   * Admits `queries` (validated shapes; `labels[i]` names each in messages), or throws
   * PipelineError naming the reason. Answers synchronously when nothing can be ahead (the parser
   * is loaded, no earlier call still waits, the queue has room): every promise saved counts once
   * an OpenTelemetry SDK has turned on AsyncLocalStorage's promise hooks, which cost
   * microseconds per promise on Node 20.
   */
  admit(
    queries: readonly ValidQuery[],
    labels: readonly string[],
    admission: Admission,
  ): AcceptedQuery[] | Promise<AcceptedQuery[]> {
    if (parserLoaded() && this.slowCalls === 0) {
      this.check(queries, labels, admission)
      if (this.runtime.queue.tryReserve(queries.length)) return this.enqueue(queries, admission)
    }
    return this.admitLater(queries, labels, admission)
  }

  private async admitLater(
    given: readonly ValidQuery[],
    labels: readonly string[],
    admission: Admission,
  ): Promise<AcceptedQuery[]> {
    this.slowCalls++
    try {
      let queries = given
      if (!parserLoaded()) {
        await loadParser().catch(() => undefined)
        // Validated before the parser was there: classify them now.
        queries = given.map((query) =>
          query.classification === undefined
            ? { ...query, classification: classifyIfLoaded(query.sql) }
            : query,
        )
      }
      this.check(queries, labels, admission)
      const { queue } = this.runtime
      if (!queue.tryReserve(queries.length)) {
        if (!admission.wait) throw queue.fullError(queries.length)
        await queue.waitForRoom(queries.length)
        const refusal = this.runtime.refusal()
        if (refusal) {
          queue.unreserve(queries.length)
          throw refusal
        }
      }
      return this.enqueue(queries, admission)
    } finally {
      this.slowCalls--
    }
  }

  /** The parser's checks, then the pipeline's state, then whether the queue could ever hold them. */
  private check(
    queries: readonly ValidQuery[],
    labels: readonly string[],
    admission: Admission,
  ): void {
    for (const [index, query] of queries.entries()) validateQueryStatement(query, labels[index])
    if (admission.ledger) checkLedger(queries, labels, admission.ledger)
    if (admission.transaction) this.checkTransaction(admission)
    const refusal = this.runtime.refusal()
    if (refusal) throw refusal
    const capacity = this.runtime.settings.maxQueueSize
    if (queries.length > capacity) {
      throw new PipelineError(
        'TOO_MANY_QUERIES',
        `${String(queries.length)} queries in one call, but pipeline '${this.runtime.name}' queues at most ${String(capacity)} (maxQueueSize); send fewer at a time`,
      )
    }
  }

  private checkTransaction(admission: Admission): void {
    const strategy = this.runtime.settings.strategy
    if (!admission.group || strategy !== 'transactional') {
      throw new PipelineError(
        'INVALID_QUERY',
        `isolation, readOnly and deferrable apply to a group (group: true) on a transactional pipeline; pipeline '${this.runtime.name}' is ${strategy}${admission.group ? '' : ' and the queries are not a group'}`,
      )
    }
  }

  private enqueue(queries: readonly ValidQuery[], admission: Admission): AcceptedQuery[] {
    const { runtime } = this
    const groupId = admission.group && queries.length > 1 ? `g${String(this.nextSeq)}` : undefined
    const enqueuedAt = performance.now()
    const callerContext = admission.callerContext ?? runtime.instrumentation.captureCallerContext()
    const strategy = runtime.settings.strategy
    const { ledger, transaction } = admission
    const table = ledger ? ledgerTableName(ledger.schema) : ''
    const accepted: AcceptedQuery[] = []
    const queued = queries.map((query, position): QueuedQuery => {
      const seq = this.nextSeq++
      const id = `${runtime.idPrefix}-${String(seq)}`
      let resolve!: (result: QueryResult) => void
      const result = new Promise<QueryResult>((done) => (resolve = done))
      accepted.push({ id, result })
      return {
        sql: query.sql,
        classification: query.classification,
        params: query.params,
        submittedParams: query.submittedParams,
        callbackId: query.callbackId,
        id,
        seq,
        groupId,
        strategy,
        enqueuedAt,
        callerContext,
        ...(ledger
          ? {
              ledger: { table, key: ledger.key, index: ledger.indexes?.[position] ?? position },
            }
          : {}),
        ...(transaction ? { transaction } : {}),
        resolve,
      }
    })
    runtime.queue.push(queued)
    runtime.stats.recordAccepted(queued.length)
    runtime.recordQueueDepth()
    this.dispatcher.queued()
    return accepted
  }
}

/** Every keyed write must be able to carry its ledger row; reads need none. */
function checkLedger(
  queries: readonly ValidQuery[],
  labels: readonly string[],
  ledger: IdempotencyLedger,
): void {
  if (ledger.indexes !== undefined && ledger.indexes.length !== queries.length) {
    throw new PipelineError(
      'INVALID_QUERY',
      `ledger.indexes has ${String(ledger.indexes.length)} entries for ${String(queries.length)} queries`,
    )
  }
  for (const [index, query] of queries.entries()) {
    if (query.classification?.readOnly === true) continue
    const refusal = ledgerRefusal(query.sql)
    if (refusal === undefined) continue
    const label = labels[index] ?? ''
    throw new PipelineError(
      'INVALID_QUERY',
      `${label === '' ? '' : `${label}.`}sql cannot run exactly once under an idempotency key: ${refusal}; send it without a key`,
    )
  }
}
