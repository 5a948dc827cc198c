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

/** A form's input as its schema parsed it, or the messages to show next to its fields. */
export type CheckedForm<T> = { success: true; data: T } | { success: false; errors: FieldErrors }

/**
 * Checks a form's input with the engine's own schema before anything is sent: the parsed
 * input, or one message per field the form shows (the rest under `_form`).
 *
 * @example
 * const checked = checkForm(createPipelineInputSchema, { name, config }, ['name'])
 * if (checked.success) create.mutate(checked.data)
 * else setErrors(checked.errors)
 */
export function checkForm<S extends z.ZodType>(
  schema: S,
  input: unknown,
  shownFields: readonly string[],
): CheckedForm<z.output<S>> {
  const parsed = schema.safeParse(input)
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, errors: placeErrors(fieldErrors(parsed.error.issues), shownFields) }
}
