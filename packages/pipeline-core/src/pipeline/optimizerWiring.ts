import type { ResolvedSettings } from '../config/resolvedSettings'
import { AdaptiveBatchSize, createOptimizingPlanner } from '../optimizer'
import { createPlainPlanner } from '../plan/plainPlanner'
import type { Planner } from '../plan/plan'

/** The batch-size controller's surface (the optimizer's AdaptiveBatchSize implements it). */
export interface BatchSizeController {
  current(): number
  observe(batchSize: number, durationMs: number): void
}

const plainPlanner = createPlainPlanner()
const optimizingPlanner = createOptimizingPlanner()

/** The planner for these settings: the optimizer's with `optimize` on, the plain one otherwise. */
export function plannerFor(settings: ResolvedSettings): Planner {
  return settings.optimize ? optimizingPlanner : plainPlanner
}

/** A controller for the effective batch size, or undefined when it is fixed. */
export function batchSizeControllerFor(
  settings: ResolvedSettings,
): BatchSizeController | undefined {
  if (!settings.adaptiveBounds) return undefined
  return new AdaptiveBatchSize(settings.adaptiveBounds, settings.batchSize)
}
