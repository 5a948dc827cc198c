/*
 * The optimizer's surface for the rest of pipeline-core (not re-exported from the package root
 * unless the runtime chooses to).
 */
export { createOptimizingPlanner } from './planner/optimizingPlanner'
export { AdaptiveBatchSize } from './adaptiveBatchSize'
export { describePlan, explainPlan } from './explainPlan'
export type { ExplainedStatement, PlanExplanation } from './explainPlan'
