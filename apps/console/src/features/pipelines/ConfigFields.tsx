'use client'

import { strategyNames } from '@sluice/engine/schemas'
import { fieldAria, FormField } from '~/components/FormField'
import type { FieldErrors } from '~/lib/fieldErrors'
import { configFieldPaths, type ConfigFormValues } from './configForm'

/** What each strategy means, in a line an operator can act on. */
export const strategyDescriptions: Record<(typeof strategyNames)[number], string> = {
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
  targets: readonly string[]
  onChange: (values: ConfigFormValues) => void
}

/**
 * The inputs of a pipeline configuration, shared by the create form and the live editor.
 * Errors come from the engine's own zod schema, keyed by path.
 *
 * @example
 * <ConfigFields idPrefix="create" values={values} errors={errors} targets={['default']} onChange={setValues} />
 */
export function ConfigFields({ idPrefix, values, errors, targets, onChange }: ConfigFieldsProps) {
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
  const targetChoices =
    targets.includes(values.target) || values.target === '' ? targets : [values.target, ...targets]
  const strategy = values.strategy as (typeof strategyNames)[number]
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
        <FormField
          id={id('strategy')}
          label="Strategy"
          error={error('strategy')}
          hint={strategyDescriptions[strategy]}
        >
          <select
            id={id('strategy')}
            name="strategy"
            className="input"
            value={values.strategy}
            onChange={(event) => {
              set('strategy', event.target.value)
            }}
            {...fieldAria(id('strategy'), error('strategy'), strategyDescriptions[strategy])}
          >
            {strategyNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </FormField>
        <FormField id={id('target')} label="Target database" error={error('target')}>
          <select
            id={id('target')}
            name="target"
            className="input"
            value={values.target}
            onChange={(event) => {
              set('target', event.target.value)
            }}
            {...fieldAria(id('target'), error('target'))}
          >
            {targetChoices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </FormField>
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
        <div className="field field-checkbox">
          <input
            id={id('optimize')}
            name="optimize"
            type="checkbox"
            checked={values.optimize}
            onChange={(event) => {
              set('optimize', event.target.checked)
            }}
          />
          <label htmlFor={id('optimize')}>
            Optimizer (deduplicate, reorder, merge where provably safe)
          </label>
        </div>
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
          <div className="field field-checkbox">
            <input
              id={id('adaptiveEnabled')}
              name="adaptiveEnabled"
              type="checkbox"
              checked={values.adaptiveEnabled}
              onChange={(event) => {
                set('adaptiveEnabled', event.target.checked)
              }}
            />
            <label htmlFor={id('adaptiveEnabled')}>Adaptive batch size (needs the optimizer)</label>
          </div>
          {numberInput('adaptiveMin', 'Adaptive min batch size')}
          {numberInput('adaptiveMax', 'Adaptive max batch size')}
          {numberInput('adaptiveTargetLatencyMs', 'Target batch latency (ms)')}
        </div>
      </details>
    </>
  )
}
