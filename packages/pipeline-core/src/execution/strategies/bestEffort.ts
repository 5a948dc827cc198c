import type { StrategyRunner } from '../executionContext'
import { runIndependent } from '../independentRunner'

/**
 * `best_effort`: queries are independent and run past failures; transient errors are retried
 * with exponential backoff up to `retry.maxAttempts`. With the optimizer on, a batch whose
 * statements are all transaction-safe commits once (see independentRunner.ts).
 */
export const runBestEffort: StrategyRunner = async (context) => {
  const session = context.openSession()
  try {
    await runIndependent(context, context.statements, session)
    return {}
  } finally {
    session.close()
  }
}
