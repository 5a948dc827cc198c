/*
 * The optimizer's surface for the rest of pipeline-core (not re-exported from the package root
 * unless the runtime chooses to).
 */
export { classifySql, classifyLoaded } from './classifier/classifySql'
export { loadParser } from './classifier/parser'
export type {
  Classification,
  InsertShape,
  KeyedUpdateShape,
  MergeShape,
  PointReadShape,
  SyntaxErrorInfo,
  TableName,
} from './classifier/classification'
export { createOptimizingPlanner } from './planner/optimizingPlanner'
export { AdaptiveBatchSize } from './adaptiveBatchSize'
export { describePlan, explainPlan } from './explainPlan'
export type { ExplainedStatement, PlanExplanation } from './explainPlan'
