import type { PlannedStatement } from '../../plan/plan'
import { internalError } from '../batchLedger'
import type { QueryError } from '../../types'
import type { ExecutionContext, StrategyOutcome, StrategyRunner } from '../executionContext'
import { BEGIN, COMMIT, entriesOf, isSplittable, outcomeUnknownError } from '../executionContext'
import type { RoundTripSession } from '../roundTripSession'
import { allReadOnly } from '../readOnlyStatements'
import { IN_FAILED_TRANSACTION } from '../statementReply'
import { isTransientError } from '../transientErrors'

interface Work {
  readonly statement: PlannedStatement
  attempts: number
}

type ChunkResult =
  { readonly done: number } | { readonly retryAfter: number } | { readonly halt: QueryError }

/**
 * `sequential`: one connection, submission order, each statement sees the effects of those
 * before it, and nothing after a failure runs.
 *
 * PostgreSQL cannot be told "skip the rest if this one fails" between autocommit statements, so
 * to pipeline at all we send runs of consecutive `transactionSafe` statements as one
 * BEGIN…COMMIT round trip: a failure aborts the transaction and PostgreSQL itself refuses
 * (25P02) everything queued behind it. We then replay the statements before the failure (they
 * commit, as they would have alone), run the failing one alone to report its own error, and stop.
 * Statements not known to be transaction-safe run one per round trip, in autocommit.
 */
export const runSequential: StrategyRunner = async (context) => {
  const session = context.openSession()
  try {
    return await new SequentialRun(context, session).run()
  } finally {
    session.close()
  }
}

class SequentialRun {
  private readonly work: Work[]
  private position = 0
  /** Set after a failure inside a transaction: how many statements the next chunks may hold. */
  private chunkLimits: number[] = []

  constructor(
    private readonly context: ExecutionContext,
    private readonly session: RoundTripSession,
  ) {
    this.work = context.statements.map((statement) => ({ statement, attempts: 1 }))
  }

  async run(): Promise<StrategyOutcome> {
    // Only a planner bug (a split() that never shrinks) could exhaust this.
    let roundsLeft = 16 * this.context.ledger.size + 64
    while (this.position < this.work.length) {
      if (roundsLeft-- <= 0) {
        const error = internalError('gave up after too many round trips for one batch')
        this.context.ledger.settleFailed(this.context.ledger.unsettled(), error)
        return { haltedBy: error }
      }
      const chunk = this.takeChunk()
      const result =
        chunk.length > 1 ? await this.runTransaction(chunk) : await this.runAlone(chunk)
      if ('done' in result) {
        this.position += result.done
      } else if ('retryAfter' in result) {
        await this.context.retry.wait(result.retryAfter)
      } else {
        this.skipRest(result.halt)
        return { haltedBy: result.halt }
      }
    }
    return {}
  }

  private takeChunk(): Work[] {
    const limit = this.chunkLimits.shift() ?? Number.POSITIVE_INFINITY
    const chunk: Work[] = []
    for (let index = this.position; index < this.work.length && chunk.length < limit; index++) {
      const work = this.work[index]
      if (!work || work.statement.transactionSafe !== true) break
      chunk.push(work)
    }
    if (chunk.length === 0) {
      const first = this.work[this.position]
      if (first) chunk.push(first)
    }
    return chunk
  }

  private async runTransaction(chunk: Work[]): Promise<ChunkResult> {
    const traced = await this.session.run([
      BEGIN,
      ...entriesOf(chunk.map((work) => work.statement)),
      COMMIT,
    ])
    const replies = traced.slice(1, -1)
    const commit = traced[traced.length - 1]?.reply
    if (commit?.kind === 'ok' && commit.command === 'COMMIT') {
      chunk.forEach((work, index) => {
        const tracedReply = replies[index]
        if (tracedReply?.reply.kind === 'ok')
          this.context.ledger.settleSucceeded(work.statement, tracedReply.reply, tracedReply.trace)
      })
      return { done: chunk.length }
    }
    const failedAt = replies.findIndex(
      ({ reply }) => reply.kind === 'error' && reply.error.code !== IN_FAILED_TRANSACTION,
    )
    const failed = replies[failedAt]?.reply
    if (failed?.kind === 'error') {
      const work = chunk[failedAt]
      if (work && isTransientError(failed.error) && this.context.retry.canRetry(work.attempts)) {
        work.attempts++
        this.context.ledger.countRetry(work.statement.queryIndexes)
        return { retryAfter: work.attempts - 1 }
      }
      // Replay what came before (it commits, as it would have alone), then let the failing
      // statement run alone so it reports its own outcome.
      this.chunkLimits = failedAt > 0 ? [failedAt, 1] : [1]
      return { done: 0 }
    }
    if (commit?.kind === 'lost' && commit.executed === 'no') {
      const first = chunk[0]
      if (first && this.context.retry.canRetry(first.attempts)) {
        first.attempts++
        for (const work of chunk) this.context.ledger.countRetry(work.statement.queryIndexes)
        return { retryAfter: first.attempts - 1 }
      }
      this.context.ledger.settleFailed(
        chunk.flatMap((work) => work.statement.queryIndexes),
        commit.error,
      )
      return { halt: commit.error }
    }
    if (commit?.kind === 'error' && !commit.fatal) {
      // A deferred constraint (or a serialization failure) at COMMIT: go one statement at a time.
      this.chunkLimits = chunk.map(() => 1)
      return { done: 0 }
    }
    const first = chunk[0]
    if (
      first &&
      allReadOnly(chunk.map((work) => work.statement)) &&
      this.context.retry.canRetry(first.attempts)
    ) {
      // Only reads: running them again changes nothing.
      first.attempts++
      for (const work of chunk) this.context.ledger.countRetry(work.statement.queryIndexes)
      return { retryAfter: first.attempts - 1 }
    }
    const cause =
      commit === undefined || commit.kind === 'ok' ? { message: 'no answer' } : commit.error
    const error = outcomeUnknownError(cause)
    this.context.ledger.settleFailed(
      chunk.flatMap((work) => work.statement.queryIndexes),
      error,
    )
    return { halt: error }
  }

  private async runAlone(chunk: Work[]): Promise<ChunkResult> {
    const work = chunk[0]
    if (!work) return { done: 0 }
    const [tracedReply] = await this.session.run(entriesOf([work.statement]))
    if (!tracedReply) return { done: 0 }
    const { reply, trace } = tracedReply
    const queries = work.statement.queryIndexes
    if (reply.kind === 'ok') {
      this.context.ledger.settleSucceeded(work.statement, reply, trace)
      return { done: 1 }
    }
    const retryable =
      isTransientError(reply.error) || (reply.kind === 'lost' && allReadOnly([work.statement]))
    if (retryable && this.context.retry.canRetry(work.attempts)) {
      work.attempts++
      this.context.ledger.countRetry(queries)
      return { retryAfter: work.attempts - 1 }
    }
    if (reply.kind === 'error' && isSplittable(work.statement)) {
      const parts = work.statement.split()
      if (parts) {
        // Bisect a merged statement: the queries before the guilty one succeed, as they would have.
        this.work.splice(
          this.position,
          1,
          ...parts.map((statement) => ({ statement, attempts: work.attempts })),
        )
        return { done: 0 }
      }
    }
    // Like the unmerged queries, the first query fails and the others behind it never run.
    const [firstQuery, ...others] = queries
    if (firstQuery !== undefined) this.context.ledger.settleFailed([firstQuery], reply.error, trace)
    if (reply.kind === 'lost') this.context.ledger.settleFailed(others, reply.error, trace)
    return { halt: reply.error }
  }

  private skipRest(cause: QueryError): void {
    this.context.ledger.settleAs(this.context.ledger.unsettled(), 'skipped', skippedError(cause))
  }
}

/** The error a skipped query carries. */
export function skippedError(cause: QueryError): QueryError {
  return {
    message: `not run: an earlier query of this sequential pipeline failed (${cause.code ?? 'error'}: ${cause.message})`,
    code: 'SKIPPED',
  }
}
