import type { PlannedStatement } from '../../plan/plan'
import type { QueryError } from '../../types'
import type { ExecutionContext, StrategyRunner } from '../executionContext'
import { COMMIT, ROLLBACK, entriesOf, isSplittable, outcomeUnknownError } from '../executionContext'
import type { RoundTripEntry, RoundTripSession } from '../roundTripSession'
import { allReadOnly } from '../readOnlyStatements'
import { IN_FAILED_TRANSACTION } from '../statementReply'
import { isTransientError } from '../transientErrors'

/**
 * `transactional`: the whole batch is one transaction sent as one pipelined round trip
 * (BEGIN … COMMIT). Any failure rolls everything back: the failing query `failed`, every other
 * `rolled_back`. Serialization failures, deadlocks and a connection lost before COMMIT ran retry
 * the whole batch; a COMMIT whose answer never came back fails every query as outcome unknown.
 */
export const runTransactional: StrategyRunner = async (context) => {
  const session = context.openSession()
  try {
    await runBatchTransaction(context, session)
    return {}
  } finally {
    session.close()
  }
}

async function runBatchTransaction(
  context: ExecutionContext,
  session: RoundTripSession,
): Promise<void> {
  const all = context.statements
  const everyQuery = all.flatMap((statement) => statement.queryIndexes)
  for (let attempt = 1; ; attempt++) {
    const traced = await session.run([context.begin, ...entriesOf(all), COMMIT])
    const replies = traced.slice(1, -1)
    const commit = traced[traced.length - 1]?.reply
    if (commit?.kind === 'ok' && commit.command === 'COMMIT') {
      all.forEach((statement, index) => {
        const tracedReply = replies[index]
        if (tracedReply?.reply.kind === 'ok')
          context.ledger.settleSucceeded(statement, tracedReply.reply, tracedReply.trace)
      })
      return
    }
    const failedAt = replies.findIndex(
      ({ reply }) => reply.kind === 'error' && reply.error.code !== IN_FAILED_TRANSACTION,
    )
    const failed = replies[failedAt]
    let error: QueryError | undefined
    if (failed?.reply.kind === 'error') error = failed.reply.error
    else if (commit?.kind === 'error' && !commit.fatal) error = commit.error
    else if (commit?.kind === 'lost' && commit.executed === 'no') error = commit.error
    if (error === undefined && allReadOnly(all) && context.retry.canRetry(attempt)) {
      // Sent COMMIT, no answer, but the batch only read: running it again changes nothing.
      context.ledger.countRetry(everyQuery)
      await context.retry.wait(attempt)
      continue
    }
    if (error === undefined) {
      // Sent COMMIT, no answer (or the server died answering it): it may have been applied.
      const cause =
        commit === undefined || commit.kind === 'ok' ? { message: 'no answer' } : commit.error
      context.ledger.settleFailed(everyQuery, outcomeUnknownError(cause))
      return
    }
    if (isTransientError(error) && context.retry.canRetry(attempt)) {
      context.ledger.countRetry(everyQuery)
      await context.retry.wait(attempt)
      continue
    }
    const statement = all[failedAt]
    if (statement && failed) {
      const guilty = await findGuiltyQuery(
        session,
        context.begin,
        all.slice(0, failedAt),
        statement,
      )
      context.ledger.settleFailed([guilty], error, failed.trace)
    } else if (commit?.kind === 'lost') {
      // Never reached the server (could not connect, or the session ended before COMMIT ran).
      context.ledger.settleFailed(everyQuery, error)
    } else {
      // Failed at COMMIT (a deferred constraint): no single query is to blame; all of them fail.
      context.ledger.settleFailed(everyQuery, {
        ...error,
        message: `COMMIT failed: ${error.message}`,
      })
    }
    // Each rolled-back query keeps the span of the statement that ran it in this transaction.
    const rolledBack = rolledBackError(error)
    all.forEach((statement, index) => {
      context.ledger.settleAs(
        statement.queryIndexes,
        'rolled_back',
        rolledBack,
        replies[index]?.trace,
      )
    })
    context.ledger.settleAs(context.ledger.unsettled(), 'rolled_back', rolledBack)
    return
  }
}

/**
 * Which query of a failing statement is to blame. For a merged statement, bisect it inside a
 * transaction that is always rolled back, after the statements that preceded it, until a part
 * answering one query fails: the same query that would have failed unmerged. Otherwise (or when
 * bisecting finds nothing) the statement's first query.
 */
async function findGuiltyQuery(
  session: RoundTripSession,
  begin: RoundTripEntry,
  before: readonly PlannedStatement[],
  failing: PlannedStatement,
): Promise<number> {
  const fallback = failing.queryIndexes[0] ?? -1
  let prefix = [...before]
  let current = failing
  for (let depth = 0; depth < 64 && isSplittable(current); depth++) {
    const parts = current.split()
    if (!parts || parts.length === 0) break
    const traced = await session.run([begin, ...entriesOf(prefix), ...entriesOf(parts), ROLLBACK])
    const partReplies = traced.slice(1 + prefix.length, -1)
    const failedPart = partReplies.findIndex(
      ({ reply }) => reply.kind === 'error' && reply.error.code !== IN_FAILED_TRANSACTION,
    )
    const next = parts[failedPart]
    if (!next) return current.queryIndexes[0] ?? fallback
    prefix = [...prefix, ...parts.slice(0, failedPart)]
    current = next
  }
  return current.queryIndexes[0] ?? fallback
}

function rolledBackError(cause: QueryError): QueryError {
  return {
    message: `rolled back: another query of this transaction failed (${cause.code ?? 'error'}: ${cause.message})`,
    code: 'ROLLED_BACK',
  }
}
