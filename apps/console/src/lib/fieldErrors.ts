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

/**
 * Keeps errors for the fields a form shows and gathers the rest under `_form`, so no message
 * is lost because its field is not on screen.
 *
 * @example
 * placeErrors({ 'config.x': 'bad', name: 'taken' }, ['name']) // { name: 'taken', _form: 'config.x: bad' }
 */
export function placeErrors(errors: FieldErrors, shownFields: readonly string[]): FieldErrors {
  const placed: Record<string, string> = {}
  const unplaced: string[] = []
  for (const [key, message] of Object.entries(errors)) {
    if (shownFields.includes(key)) placed[key] = message
    else unplaced.push(key === '_form' || key === '(root)' ? message : `${key}: ${message}`)
  }
  if (unplaced.length > 0) placed._form = unplaced.join('; ')
  return placed
}
