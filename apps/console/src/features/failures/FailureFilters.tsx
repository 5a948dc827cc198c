'use client'

import { useState, type SubmitEvent } from 'react'
import { DateTimeField } from '~/components/DateTimeField'
import { fieldAria, FormField } from '~/components/FormField'
import type { FieldErrors } from '~/lib/fieldErrors'
import { defaultFilterParams, type FailureFilterParams } from './failureFilterParams'

interface FailureFiltersProps {
  value: FailureFilterParams
  /** Offer the parameters search (the caller's role sees parameters). */
  searchParams: boolean
  pipelines: readonly string[]
  errors: FieldErrors
  onApply: (value: FailureFilterParams) => void
}

/**
 * The failures filter: pipeline, SQLSTATE, text (searches SQL and error), parameters (for roles
 * that see them), callback id, status (failing only by default) and a time range. `/` focuses
 * the text search. Applied on submit; errors show next to their field.
 *
 * @example
 * <FailureFilters value={params} pipelines={['orders']} errors={{}} onApply={navigate} />
 */
export function FailureFilters({
  value,
  searchParams,
  pipelines,
  errors,
  onApply,
}: FailureFiltersProps) {
  // The parent keys this form by the URL's filter, so a new URL (back button, a link) starts a fresh draft.
  const [draft, setDraft] = useState(value)
  const set = <K extends keyof FailureFilterParams>(key: K, next: FailureFilterParams[K]) => {
    setDraft({ ...draft, [key]: next })
  }
  const submit = (event: SubmitEvent) => {
    event.preventDefault()
    onApply({ ...draft, trail: [] })
  }
  const clear = () => {
    setDraft(defaultFilterParams)
    onApply(defaultFilterParams)
  }
  const timeInput = (key: 'from' | 'to', label: string) => (
    <DateTimeField
      id={`filter-${key}`}
      label={label}
      value={draft[key]}
      error={errors[key]}
      onChange={(next) => set(key, next)}
    />
  )
  const pipelineChoices =
    draft.pipeline && !pipelines.includes(draft.pipeline)
      ? [draft.pipeline, ...pipelines]
      : pipelines

  return (
    <form
      className="panel"
      onSubmit={submit}
      role="search"
      aria-label="Filter failed queries"
      noValidate
    >
      <div className="filters">
        <FormField id="filter-pipeline" label="Pipeline" error={errors.pipeline}>
          <select
            id="filter-pipeline"
            className="input"
            value={draft.pipeline}
            onChange={(event) => set('pipeline', event.target.value)}
          >
            <option value="">All pipelines</option>
            {pipelineChoices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </FormField>
        <FormField id="filter-sqlstate" label="SQLSTATE" error={errors.sqlstate}>
          <input
            id="filter-sqlstate"
            className="input mono"
            placeholder="e.g. 23505"
            maxLength={5}
            autoComplete="off"
            value={draft.sqlstate}
            onChange={(event) => set('sqlstate', event.target.value)}
            {...fieldAria('filter-sqlstate', errors.sqlstate)}
          />
        </FormField>
        <FormField id="filter-text" label="Search SQL and errors" error={errors.text}>
          <input
            id="filter-text"
            type="search"
            className="input"
            placeholder="orders, duplicate key…"
            data-shortcut="search"
            value={draft.text}
            onChange={(event) => set('text', event.target.value)}
            {...fieldAria('filter-text', errors.text)}
          />
        </FormField>
        {searchParams ? (
          <FormField id="filter-params" label="Parameters contain" error={errors.params}>
            <input
              id="filter-params"
              type="search"
              className="input mono"
              placeholder="customer-42@…"
              value={draft.params}
              onChange={(event) => set('params', event.target.value)}
              {...fieldAria('filter-params', errors.params)}
            />
          </FormField>
        ) : null}
        <FormField id="filter-callback" label="Callback id" error={errors.callbackId}>
          <input
            id="filter-callback"
            className="input mono"
            autoComplete="off"
            value={draft.callbackId}
            onChange={(event) => set('callbackId', event.target.value)}
            {...fieldAria('filter-callback', errors.callbackId)}
          />
        </FormField>
        <FormField id="filter-status" label="Status">
          <select
            id="filter-status"
            className="input"
            value={draft.status}
            onChange={(event) => set('status', event.target.value as FailureFilterParams['status'])}
          >
            <option value="failed">Failing only</option>
            <option value="resolved">Resolved</option>
            <option value="discarded">Discarded</option>
            <option value="any">Any</option>
          </select>
        </FormField>
        {timeInput('from', 'Failed after')}
        {timeInput('to', 'Failed before')}
      </div>
      <div className="form-actions">
        <button type="button" className="button" onClick={clear}>
          Clear
        </button>
        <button type="submit" className="button button-primary">
          Apply filters
        </button>
      </div>
    </form>
  )
}
