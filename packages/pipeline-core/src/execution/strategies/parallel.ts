import type { PlannedStatement } from '../../plan/plan'
import type { StrategyRunner } from '../executionContext'
import { runIndependent } from '../independentRunner'

/** Below this many statements per connection, another connection costs more than it saves. */
const MIN_STATEMENTS_PER_CONNECTION = 8

/**
 * `parallel`: queries are independent; the batch is cut into contiguous slices, each pipelined on
 * its own pooled connection (up to `maxConnections`), and a failure touches only its own query.
 * Each slice runs like best_effort (retries, splitting merged statements, and with the optimizer
 * on one commit per slice when every statement is transaction-safe).
 */
export function createParallelRunner(connections: () => number): StrategyRunner {
  return async (context) => {
    const slices = sliceEvenly(context.statements, connections())
    await Promise.all(
      slices.map(async (slice) => {
        const session = context.openSession()
        try {
          await runIndependent(context, slice, session)
        } finally {
          session.close()
        }
      }),
    )
    return {}
  }
}

function sliceEvenly(
  statements: readonly PlannedStatement[],
  connections: number,
): PlannedStatement[][] {
  const count = Math.max(
    1,
    Math.min(connections, Math.ceil(statements.length / MIN_STATEMENTS_PER_CONNECTION)),
  )
  const size = Math.ceil(statements.length / count)
  const slices: PlannedStatement[][] = []
  for (let start = 0; start < statements.length; start += size)
    slices.push(statements.slice(start, start + size))
  return slices
}
