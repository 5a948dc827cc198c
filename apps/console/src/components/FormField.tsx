import type { ReactNode } from 'react'

interface FormFieldProps {
  /** The input's id; the label and the error point at it. */
  id: string
  label: string
  error?: string
  hint?: string
  children: ReactNode
}

/**
 * A label, an input and the input's own error message right below it.
 *
 * @example
 * <FormField id="batchSize" label="Batch size" error={errors.batchSize}>
 *   <input id="batchSize" aria-invalid={Boolean(errors.batchSize)} aria-describedby="batchSize-error" />
 * </FormField>
 */
export function FormField({ id, label, error, hint, children }: FormFieldProps) {
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children}
      {hint && !error ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  )
}

/** The aria attributes an input inside a `FormField` needs. */
export function fieldAria(id: string, error: string | undefined, hint?: string) {
  return {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : hint ? `${id}-hint` : undefined,
  } as const
}

/**
 * The form's own message: what belongs to no field the form shows (or the engine's answer).
 */
export function FormError({ error }: { error: string | undefined }) {
  return error ? (
    <p className="notice notice-error" role="alert">
      {error}
    </p>
  ) : null
}
