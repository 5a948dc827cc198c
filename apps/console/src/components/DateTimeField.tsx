import { fieldAria, FormField } from './FormField'

interface DateTimeFieldProps {
  id: string
  label: string
  /** A `datetime-local` value, in the browser's time zone. */
  value: string
  error?: string | undefined
  onChange: (value: string) => void
}

/**
 * A labelled date-and-time input, to the second, with its error below it (a filter's from/to).
 *
 * @example
 * <DateTimeField id="filter-from" label="Failed after" value={draft.from} onChange={setFrom} />
 */
export function DateTimeField({ id, label, value, error, onChange }: DateTimeFieldProps) {
  return (
    <FormField id={id} label={label} error={error}>
      <input
        id={id}
        type="datetime-local"
        step="1"
        className="input"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        {...fieldAria(id, error)}
      />
    </FormField>
  )
}
