import type { z } from 'zod'

/**
 * "field: problem; other.field: problem" from a ZodError, for messages that name the field.
 *
 * @example
 * describeZodError(error) // 'batchSize: batchSize must be at least 1'
 */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ')
}
