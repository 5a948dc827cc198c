import { z } from 'zod'

/**
 * A target's circuit breaker settings (part of the target's config, `SLUICE_TARGETS`): the
 * breaker opens after `failureThreshold` connection-level failures in a row, or when at least
 * `failureRate` of the last `windowSize` queries failed at the connection level (with at least
 * `windowSize` seen); while open, queries fail at once with `TARGET_UNAVAILABLE`; every
 * `probeIntervalMs` one probe connects (within `probeTimeoutMs`) and a success closes it.
 */
export const breakerSettingsSchema = z
  .object({
    failureThreshold: z.number().int().min(1).max(10_000).default(5),
    failureRate: z.number().gt(0).max(1).default(0.5),
    windowSize: z.number().int().min(1).max(100_000).default(100),
    probeIntervalMs: z.number().int().min(50).max(600_000).default(2_000),
    probeTimeoutMs: z.number().int().min(50).max(60_000).default(2_000),
  })
  .strict()
export type BreakerSettings = z.output<typeof breakerSettingsSchema>
export type BreakerSettingsInput = z.input<typeof breakerSettingsSchema>

/** `closed`: queries run; `open`: they fail at once; `half_open`: a probe is testing the target. */
export const breakerStateSchema = z.enum(['closed', 'open', 'half_open'])
export type BreakerState = z.output<typeof breakerStateSchema>

/** A breaker's state as `getStatus()`, `targets.list` and the console show it. */
export const breakerViewSchema = z.object({
  state: breakerStateSchema,
  /** Why it opened (the last connection error), while not closed. */
  reason: z.string().nullable(),
  /** When it last changed state, ISO; null if it never did. */
  since: z.string().nullable(),
  /** Queries failed at once since it opened. */
  rejected: z.number(),
  /** State changes, newest last, at most 20. */
  transitions: z.array(
    z.object({
      at: z.string(),
      from: breakerStateSchema,
      to: breakerStateSchema,
      reason: z.string(),
    }),
  ),
  settings: z.object({
    failureThreshold: z.number(),
    failureRate: z.number(),
    windowSize: z.number(),
    probeIntervalMs: z.number(),
    probeTimeoutMs: z.number(),
  }),
})
export type BreakerView = z.output<typeof breakerViewSchema>
