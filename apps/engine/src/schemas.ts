/**
 * The engine's API contract as zod schemas and types, shared with the console (forms validate with
 * the very schemas the engine checks its input with). Imports only zod: safe in a browser bundle.
 *
 * @example
 * import { pipelineConfigSchema } from '@sluice/engine/schemas'
 * const result = pipelineConfigSchema.safeParse(formValues)
 * if (!result.success) console.log(result.error.issues)
 */
export * from './contract/pipelineSchemas'
export * from './contract/querySchemas'
export * from './contract/failureSchemas'
export * from './contract/observabilitySchemas'
export * from './contract/paramLimits'
