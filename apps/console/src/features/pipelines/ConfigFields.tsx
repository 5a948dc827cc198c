'use client'

import { STRATEGIES } from '@sluice/contract'
import type { Strategy } from '@sluice/contract'
import { useQuery } from '@tanstack/react-query'
import { fieldAria, FormField } from '~/components/FormField'
import type { FieldErrors } from '~/lib/fieldErrors'
import { useTRPC } from '~/trpc/trpc'
import { configFieldPaths, type ConfigFormValues } from './configForm'

/** What each strategy means, in a line an operator can act on. */
export const strategyDescriptions: Record<Strategy, string> = {
  best_effort: 'Independent queries; carries on past failures and retries transient errors.',
  sequential: 'One connection, in order; halts at the first failure until resumed.',
  parallel: 'Independent queries spread over several connections.',
  transactional: 'Each batch is one transaction: all or nothing.',
}

interface ConfigFieldsProps {
  /** Prefix for input ids, so two forms on a page never share one. */
  idPrefix: string
  values: ConfigFormValues
  errors: FieldErrors
  onChange: (values: ConfigFormValues) => void
}

/**
 * The inputs of a pipeline configuration, shared by the create form and the live editor.
 * Errors come from the engine's own zod schema, keyed by path; the target choices are the
 * engine's targets, and the current one while they load.
 *
 * @example
 * <ConfigFields idPrefix="create" values={values} errors={errors} onChange={setValues} />
 */
export function ConfigFields({ idPrefix, values, errors, onChange }: ConfigFieldsProps) {
  const trpc = useTRPC()
  const targets =
    useQuery(trpc.targets.list.queryOptions()).data?.map((target) => target.name) ?? []
  const id = (key: keyof ConfigFormValues) => `${idPrefix}-${key}`
  const error = (key: keyof ConfigFormValues) => errors[configFieldPaths[key]]
  const set = <K extends keyof ConfigFormValues>(key: K, value: ConfigFormValues[K]) => {
    onChange({ ...values, [key]: value })
  }
  const numberInput = (key: keyof ConfigFormValues, label: string, hint?: string) => (
    <FormField id={id(key)} label={label} error={error(key)} hint={hint}>
      <input
        id={id(key)}
        name={key}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        className="input"
        value={String(values[key])}
        onChange={(event) => {
          set(key, event.target.value)
        }}
        {...fieldAria(id(key), error(key), hint)}
      />
    </FormField>
  )
  const choice = (
    key: 'strategy' | 'target',
    label: string,
    options: readonly string[],
    hint?: string,
  ) => (
    <FormField id={id(key)} label={label} error={error(key)} hint={hint}>
      <select
        id={id(key)}
        name={key}
        className="input"
        value={values[key]}
        onChange={(event) => {
          set(key, event.target.value)
        }}
        {...fieldAria(id(key), error(key), hint)}
      >
        {options.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </FormField>
  )
  const checkbox = (key: 'optimize' | 'adaptiveEnabled', label: string) => (
    <div className="field field-checkbox">
      <input
        id={id(key)}
        name={key}
        type="checkbox"
        checked={values[key]}
        onChange={(event) => {
          set(key, event.target.checked)
        }}
      />
      <label htmlFor={id(key)}>{label}</label>
    </div>
  )
  const targetChoices =
    targets.includes(values.target) || values.target === '' ? targets : [values.target, ...targets]
  const strategy = values.strategy as Strategy
  const moreKeys: (keyof ConfigFormValues)[] = [
    'maxQueueSize',
    'maxConnections',
    'retryBaseDelayMs',
    'retryMaxDelayMs',
    'adaptiveEnabled',
    'adaptiveMin',
    'adaptiveMax',
    'adaptiveTargetLatencyMs',
  ]
  // A problem in a folded-away field must not hide: unfold when one has an error.
  const moreHasError = moreKeys.some((key) => error(key) !== undefined)

  return (
    <>
      <div className="form-grid">
        {choice('strategy', 'Strategy', STRATEGIES, strategyDescriptions[strategy])}
        {choice('target', 'Target database', targetChoices)}
        {numberInput('batchSize', 'Batch size', 'Queries per batch (1–10,000).')}
        {numberInput(
          'flushIntervalMs',
          'Flush interval (ms)',
          'A partial batch runs after this long.',
        )}
        {numberInput(
          'retryMaxAttempts',
          'Max attempts',
          'Tries per query for transient errors, the first included.',
        )}
        {checkbox('optimize', 'Optimizer (deduplicate, reorder, merge where provably safe)')}
      </div>
      <details className="form-more" open={moreHasError || undefined}>
        <summary>More options</summary>
        <div className="form-grid">
          {numberInput(
            'maxQueueSize',
            'Max queue size',
            'Queries waiting before ingest answers 429.',
          )}
          {numberInput('maxConnections', 'Max connections')}
          {numberInput('retryBaseDelayMs', 'Retry base delay (ms)')}
          {numberInput('retryMaxDelayMs', 'Retry max delay (ms)')}
          {checkbox('adaptiveEnabled', 'Adaptive batch size (needs the optimizer)')}
          {numberInput(
            'adaptiveMin',
            'Adaptive min batch size',
            'Blank: a quarter of the batch size',
          )}
          {numberInput(
            'adaptiveMax',
            'Adaptive max batch size',
            'Blank: the batch size (it only shrinks)',
          )}
          {numberInput('adaptiveTargetLatencyMs', 'Target batch latency (ms)')}
        </div>
      </details>
    </>
  )
}
