import type { ResolvedSettings } from '../config/resolvedSettings'
import { createPlainPlanner } from '../plan/plainPlanner'
import type { Planner } from '../plan/plan'

/** The batch-size controller's surface (the optimizer's AdaptiveBatchSize implements it). */
export interface BatchSizeController {
  current(): number
  observe(batchSize: number, durationMs: number): void
}

const plainPlanner = createPlainPlanner()

/** The planner for these settings: the optimizer's with `optimize` on, the plain one otherwise. */
export function plannerFor(_settings: ResolvedSettings): Planner {
  // TODO(core): use the optimizer's createOptimizingPlanner() when optimize is on, once
  // src/optimizer/index.ts exports it.
  return plainPlanner
}

/** A controller for the effective batch size, or undefined when it is fixed. */
export function batchSizeControllerFor(settings: ResolvedSettings): BatchSizeController | undefined {
  // TODO(core): use the optimizer's AdaptiveBatchSize once src/optimizer/index.ts exports it.
  if (!settings.adaptiveBatchSize) return undefined
  const size = settings.batchSize
  return { current: () => size, observe: () => undefined }
}
