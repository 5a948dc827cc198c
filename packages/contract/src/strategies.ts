import { z } from 'zod'

/**
 * Every strategy a pipeline can run its batches with, the default first (the order forms list
 * them in). See docs/architecture.md, "The contract of a query".
 * - `best_effort`: independent queries, failures isolated, transient errors retried.
 * - `sequential`: one connection, submission order; the first failure skips the rest and halts.
 * - `parallel`: independent queries spread over several pipelined connections.
 * - `transactional`: each batch one transaction: all or nothing.
 */
export const STRATEGIES = ['best_effort', 'sequential', 'parallel', 'transactional'] as const

/** How a batch runs: one of `STRATEGIES`. */
export type Strategy = (typeof STRATEGIES)[number]

/** A strategy name, refused with the list of valid ones. */
export const strategySchema = z.enum(STRATEGIES, {
  error: () => `strategy must be one of ${STRATEGIES.join(', ')}`,
})

/** Strategies whose batches run one at a time, in order: each sees everything before it. */
export function isOrderedStrategy(strategy: Strategy): boolean {
  return strategy === 'sequential' || strategy === 'transactional'
}
