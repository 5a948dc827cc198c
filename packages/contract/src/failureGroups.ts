import { z } from 'zod'
import { timestampSchema } from './failures'
import { pipelineNameSchema } from './pipelineConfig'

/**
 * One failure group: the failed queries (status `failed`) of one pipeline with one statement
 * shape (fingerprint) and one error code. `count` is kept as failures are written, retried and
 * discarded, so listing groups never counts the failures table.
 */
export const failureGroupSchema = z.object({
  pipeline: z.string(),
  fingerprint: z.string(),
  /** SQLSTATE, a Sluice code such as `TARGET_UNAVAILABLE`, or '' when the error had none. */
  errorCode: z.string(),
  count: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  sampleSql: z.string(),
  sampleMessage: z.string(),
  sampleDetail: z.string().nullable(),
  /** Failures per bucket of the last 24 hours (from the statement insights), oldest first. */
  sparkline: z.array(z.number()),
})
export type FailureGroup = z.output<typeof failureGroupSchema>

/** Input of `failures.groups`: groups with failures still open, most recent first. */
export const listFailureGroupsInputSchema = z.object({
  pipeline: pipelineNameSchema.optional(),
  /** Last failure at or after this time. */
  from: timestampSchema.optional(),
  limit: z.number().int().min(1).max(500).default(100),
})

/** Answer of `failures.groups`. */
export const failureGroupListSchema = z.object({ items: z.array(failureGroupSchema) })
export type FailureGroupList = z.output<typeof failureGroupListSchema>
