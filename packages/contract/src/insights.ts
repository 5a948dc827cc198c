import { z } from 'zod'
import { timestampSchema } from './failures'
import { pipelineNameSchema } from './pipelineConfig'

/** A statement shape's id: PostgreSQL's fingerprint (16 hex digits). */
export const fingerprintSchema = z
  .string()
  .regex(/^[0-9a-f]{16}$/, 'fingerprint must be 16 hex digits, as insights list it')

/**
 * One statement shape of `GET /v1/insights`: its calls, rows, failures (by SQLSTATE or Sluice
 * code), duration statistics (percentiles from a log-scale histogram, within about 10%), how many
 * of its queries the optimizer merged or deduplicated, and when it was first and last seen.
 * `query` is the normalized text: constants replaced by `$n`, never parameter values.
 */
export const statementInsightSchema = z.object({
  fingerprint: z.string(),
  query: z.string(),
  calls: z.number(),
  rows: z.number(),
  failures: z.object({ total: z.number(), bySqlstate: z.record(z.string(), z.number()) }),
  meanMs: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  merged: z.number(),
  deduplicated: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
})
export type StatementInsight = z.output<typeof statementInsightSchema>

/** Answer of `GET /v1/insights`: shapes by total time spent, most first. */
export const insightsAnswerSchema = z.object({ statements: z.array(statementInsightSchema) })
export type InsightsAnswer = z.output<typeof insightsAnswerSchema>

/**
 * A shape as the console lists it: the API's fields plus its pipeline, total time and its share
 * of the pipeline's time, and calls per bucket of the window for a sparkline.
 */
export const statementInsightRowSchema = statementInsightSchema.extend({
  /** Null when the row adds up every pipeline's calls of the shape. */
  pipeline: z.string().nullable(),
  totalMs: z.number(),
  /** totalMs / the time of every shape listed, 0..1. */
  timeShare: z.number(),
  /** Calls in each of `buckets` equal parts of the window, oldest first. */
  sparkline: z.array(z.number()),
})
export type StatementInsightRow = z.output<typeof statementInsightRowSchema>

/**
 * Input of `insights.list` (and the query of `GET /v1/insights`): one pipeline or all, since a
 * time (default: the last 24 hours).
 */
export const insightsInputSchema = z.object({
  pipeline: pipelineNameSchema.optional(),
  /** ISO time or milliseconds since the epoch. */
  since: timestampSchema.optional(),
  limit: z.number().int().min(1).max(500).default(100),
})
export type InsightsInput = z.output<typeof insightsInputSchema>

/** Answer of `insights.list`. */
export const insightsListSchema = z.object({
  statements: z.array(statementInsightRowSchema),
  /** Start of the window, ISO. */
  since: z.string(),
})
export type InsightsList = z.output<typeof insightsListSchema>

/** Input of `insights.get`: one shape of one pipeline. */
export const insightInputSchema = z.object({
  pipeline: pipelineNameSchema,
  fingerprint: fingerprintSchema,
  since: insightsInputSchema.shape.since,
})

/** One bucket (a minute, or an hour for older data) of a shape's series. */
export const insightPointSchema = z.object({
  at: z.number(),
  calls: z.number(),
  failures: z.number(),
  meanMs: z.number().nullable(),
  p95Ms: z.number().nullable(),
})

/** Answer of `insights.get`: the shape, its series, and its most recent failures' ids. */
export const insightDetailSchema = z.object({
  statement: statementInsightRowSchema,
  series: z.array(insightPointSchema),
})
export type InsightDetail = z.output<typeof insightDetailSchema>
export type InsightPoint = z.output<typeof insightPointSchema>
