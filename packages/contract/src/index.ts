/**
 * Sluice's contract: what every part agrees on, in one place. Strategies; pipeline settings with
 * their one schema and one set of defaults (`PIPELINE_DEFAULTS`); limits; the checks a parameter
 * must pass; the engine API's request and answer shapes; error codes with their HTTP status and
 * tRPC code; span attribute names; roles, sign-in and audit shapes. zod and types only: safe in a browser bundle.
 *
 * @example
 * import { pipelineConfigSchema, PIPELINE_DEFAULTS } from '@sluice/contract'
 *
 * const parsed = pipelineConfigSchema.safeParse({ strategy: 'transactional', batchSize: 50 })
 * if (parsed.success) console.log(parsed.data.flushIntervalMs === PIPELINE_DEFAULTS.flushIntervalMs) // true
 * else console.log(parsed.error.issues.map((issue) => issue.message))
 */
export * from './strategies'
export * from './limits'
export * from './paramChecks'
export * from './pipelineSettings'
export * from './pipelineConfig'
export * from './ingest'
export * from './failures'
export * from './observability'
export * from './cluster'
export * from './errorCodes'
export * from './auth'
export * from './audit'
export * from './spanAttributes'
export * from './batchCounts'
