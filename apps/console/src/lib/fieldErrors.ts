import type { z } from 'zod'

/** The first message for each field, keyed by the field's path (`config.retry.maxAttempts`). */
export type FieldErrors = Readonly<Record<string, string>>

/**
 * Turns zod issues into one message per field, so a form can show each next to its input.
 *
 * @example
 * const result = schema.safeParse(input)
 * const errors = result.success ? {} : fieldErrors(result.error.issues)
 * errors['config.batchSize'] // 'batchSize must be at least 1'
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: Record<string, string> = {}
  for (const issue of issues) {
    const key = issue.path.map(String).join('.') || '_form'
    errors[key] ??= issue.message
  }
  return errors
}
