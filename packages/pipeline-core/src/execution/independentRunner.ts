import type { PlannedStatement } from '../plan/plan'
import type { QueryError } from '../types'
import { internalError } from './batchLedger'
import type { ExecutionContext } from './executionContext'
import { BEGIN, COMMIT, entriesOf, isSplittable, outcomeUnknownError } from './executionContext'
import type { RoundTripSession, TracedReply } from './roundTripSession'
import { allReadOnly } from './readOnlyStatements'
import { IN_FAILED_TRANSACTION } from './statementReply'
import { isTransientError } from './transientErrors'

/** A statement still to run, and how many times it has run. */
interface Work {
  readonly statement: PlannedStatement
  attempts: number
}

/** After this many failures, a batch stops replaying its transaction and runs autocommit. */
const MAX_TRANSACTION_REPLAYS_FOR_FAILURES = 2

/**
 * Runs statements whose queries are independent (best_effort, and each connection's share of a
 * parallel batch): a failure touches only its own queries, transient errors are retried with
 * backoff, and a failing merged statement is split (bisected) so only the guilty queries fail.
 */
export async function runIndependent(
  context: ExecutionContext,
  statements: readonly PlannedStatement[],
  session: RoundTripSession,
): Promise<void> {
  const state = new IndependentRun(context, statements, session)
  await state.run()
}

class IndependentRun {
  private pending: Work[]
  private transactional: boolean
  private failuresReplayed = 0
  private lostRounds = 1

  constructor(
    private readonly context: ExecutionContext,
    statements: readonly PlannedStatement[],
    private readonly session: RoundTripSession,
  ) {
    this.pending = statements.map((statement) => ({ statement, attempts: 1 }))
    // Fewer commits: when every statement may share a transaction, the whole
    // batch runs as BEGIN…COMMIT in one round trip (one WAL flush). A failing statement rolls it
    // back; we then replay the batch without it (or with a merged statement split in halves), so
    // each query ends as if it had run alone: the failed one with its error, the rest committed.
    this.transactional =
      context.fewerCommits &&
      this.pending.length > 1 &&
      this.pending.every((work) => work.statement.transactionSafe === true)
  }

  async run(): Promise<void> {
    // Every round settles, splits or retries (boundedly) something; this cap only stops a
    // planner bug (a split() that never shrinks) from looping forever.
    const queries = this.pending.reduce(
      (total, work) => total + work.statement.queryIndexes.length,
      0,
    )
    let roundsLeft = 16 * queries + 64
    while (this.pending.length > 0) {
      if (roundsLeft-- <= 0) {
        this.failAll(internalError('gave up after too many round trips for one batch'))
        return
      }
      if (this.transactional) await this.transactionRound()
      else await this.autocommitRound()
    }
  }

  private async transactionRound(): Promise<void> {
    const traced = await this.session.run([
      BEGIN,
      ...entriesOf(this.pending.map((work) => work.statement)),
      COMMIT,
    ])
    const replies = traced.slice(1, -1)
    const commit = traced[traced.length - 1]?.reply
    if (commit?.kind === 'ok' && commit.command === 'COMMIT') {
      this.pending.forEach((work, index) => {
        const traceReply = replies[index]
        if (traceReply?.reply.kind === 'ok')
          this.context.ledger.settleSucceeded(work.statement, traceReply.reply, traceReply.trace)
      })
      this.pending = []
      return
    }
    const failedAt = replies.findIndex(
      ({ reply }) => reply.kind === 'error' && reply.error.code !== IN_FAILED_TRANSACTION,
    )
    const failed = replies[failedAt]
    if (failed?.reply.kind === 'error') {
      // A statement failed, so the transaction is rolled back whatever became of the COMMIT.
      await this.handleFailure(failedAt, failed.reply.error, failed)
      return
    }
    if (commit?.kind === 'error' && !commit.fatal) {
      if (isTransientError(commit.error) && this.context.retry.canRetry(this.lostRounds)) {
        await this.retryAll()
        return
      }
      // A deferred constraint failed at COMMIT: no single statement is to blame inside the
      // transaction, so run them one by one, where the guilty one fails on its own.
      this.transactional = false
      return
    }
    if (commit?.kind === 'lost' && commit.executed === 'no') {
      if (this.context.retry.canRetry(this.lostRounds)) {
        await this.retryAll()
        return
      }
      this.failAll(commit.error)
      return
    }
    if (commit?.kind === 'ok') {
      // COMMIT answered ROLLBACK with no statement failing: should not happen; isolate instead.
      this.transactional = false
      return
    }
    // The COMMIT may have been applied: never run it again (unless it only read).
    if (
      allReadOnly(this.pending.map((work) => work.statement)) &&
      this.context.retry.canRetry(this.lostRounds)
    ) {
      await this.retryAll()
      return
    }
    this.failAll(
      outcomeUnknownError(commit === undefined ? { message: 'no answer' } : commit.error),
    )
  }

  private async autocommitRound(): Promise<void> {
    // A merged statement ends the round trip: if it fails, its halves must run before the
    // statements after it, which may read what it writes.
    const barrier = this.pending.findIndex((work) => isSplittable(work.statement))
    const segment = this.pending.slice(0, barrier < 0 ? this.pending.length : barrier + 1)
    const rest = this.pending.slice(segment.length)
    const traced = await this.session.run(entriesOf(segment.map((work) => work.statement)))
    const again: Work[] = []
    let maxAttempts = 0
    segment.forEach((work, index) => {
      const tracedReply = traced[index]
      if (!tracedReply) return
      const { reply, trace } = tracedReply
      const queries = work.statement.queryIndexes
      if (reply.kind === 'ok') {
        this.context.ledger.settleSucceeded(work.statement, reply, trace)
      } else if (
        reply.kind === 'lost' &&
        reply.executed === 'unknown' &&
        !allReadOnly([work.statement])
      ) {
        this.context.ledger.settleFailed(queries, reply.error, trace)
      } else if (
        (reply.kind === 'lost' || isTransientError(reply.error)) &&
        this.context.retry.canRetry(work.attempts)
      ) {
        work.attempts++
        maxAttempts = Math.max(maxAttempts, work.attempts)
        this.context.ledger.countRetry(queries)
        again.push(work)
      } else if (
        reply.kind === 'error' &&
        !isTransientError(reply.error) &&
        isSplittable(work.statement)
      ) {
        const parts = work.statement.split()
        if (parts) again.push(...parts.map((statement) => ({ statement, attempts: work.attempts })))
        else this.context.ledger.settleFailed(queries, reply.error, trace)
      } else {
        this.context.ledger.settleFailed(queries, reply.error, trace)
      }
    })
    this.pending = [...again, ...rest]
    if (maxAttempts > 1) await this.context.retry.wait(maxAttempts - 1)
  }

  private async handleFailure(
    index: number,
    error: QueryError,
    failed: TracedReply,
  ): Promise<void> {
    const work = this.pending[index]
    if (!work) return
    if (isTransientError(error)) {
      if (this.context.retry.canRetry(work.attempts)) {
        work.attempts++
        this.context.ledger.countRetry(work.statement.queryIndexes)
        await this.context.retry.wait(work.attempts - 1)
        return
      }
      this.context.ledger.settleFailed(work.statement.queryIndexes, error, failed.trace)
      this.pending.splice(index, 1)
      return
    }
    // Each failure costs a replay of the whole transaction; after a few, the rest runs
    // autocommit, where a failure costs only its own statement.
    this.failuresReplayed++
    if (this.failuresReplayed >= MAX_TRANSACTION_REPLAYS_FOR_FAILURES) this.transactional = false
    const parts = isSplittable(work.statement) ? work.statement.split() : undefined
    if (parts) {
      this.pending.splice(
        index,
        1,
        ...parts.map((statement) => ({ statement, attempts: work.attempts })),
      )
      return
    }
    this.context.ledger.settleFailed(work.statement.queryIndexes, error, failed.trace)
    this.pending.splice(index, 1)
  }

  private async retryAll(): Promise<void> {
    this.lostRounds++
    for (const work of this.pending) this.context.ledger.countRetry(work.statement.queryIndexes)
    await this.context.retry.wait(this.lostRounds - 1)
  }

  private failAll(error: QueryError): void {
    for (const work of this.pending)
      this.context.ledger.settleFailed(work.statement.queryIndexes, error)
    this.pending = []
  }
}
