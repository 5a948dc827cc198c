import { z } from 'zod'

/*
 * The statement insights variables of the engine's environment (env.ts merges them into its one
 * schema): how many shapes each pipeline keeps, how long minutes stay minutes, how long hours stay.
 */

const wholeNumber = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? String(fallback) : value))
    .refine((value) => /^[0-9]+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      error: `${name} must be a whole number ${String(min)}..${String(max)}`,
    })
    .transform(Number)

export const insightsEnvShape = {
  /** Statement shapes kept per pipeline and minute (and hour); the rest add up as "other". */
  SLUICE_INSIGHTS_TOP_N: wholeNumber('SLUICE_INSIGHTS_TOP_N', 100, 1, 10_000),
  /** Hours per-minute insights are kept before they are folded into hours. */
  SLUICE_INSIGHTS_MINUTES_HOURS: wholeNumber('SLUICE_INSIGHTS_MINUTES_HOURS', 24, 1, 24 * 31),
  /** Days hourly insights are kept. */
  SLUICE_INSIGHTS_RETENTION_DAYS: wholeNumber('SLUICE_INSIGHTS_RETENTION_DAYS', 7, 1, 3_650),
}
