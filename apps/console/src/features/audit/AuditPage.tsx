'use client'

import { AUDIT_ACTIONS } from '@sluice/contract'
import { keepPreviousData, skipToken, useQuery } from '@tanstack/react-query'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useState, type SubmitEvent } from 'react'
import { DateTimeField } from '~/components/DateTimeField'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { FormField } from '~/components/FormField'
import { LoadingState } from '~/components/LoadingState'
import { LocalTime } from '~/components/LocalTime'
import { useTRPC } from '~/trpc/trpc'
import {
  auditListInput,
  defaultAuditParams,
  readAuditParams,
  writeAuditParams,
  type AuditParams,
} from './auditParams'
import { describeAudit } from './describeAudit'

/**
 * The audit log for admins: who did what, when and from where, newest first, filtered by actor,
 * action, target and time; paged by the engine's cursor. The filter lives in the URL.
 *
 * @example
 * <Suspense><AuditPage /></Suspense>
 */
export function AuditPage() {
  const trpc = useTRPC()
  const router = useRouter()
  const pathname = usePathname()
  const params = readAuditParams(new URLSearchParams(useSearchParams().toString()))
  const input = auditListInput(params)
  const page = useQuery({
    ...trpc.audit.list.queryOptions(input ?? skipToken),
    placeholderData: keepPreviousData,
  })
  const navigate = (next: AuditParams) => {
    const query = writeAuditParams(next)
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false })
  }
  const items = page.data?.items ?? []
  return (
    <section aria-labelledby="audit-title">
      <div className="page-header">
        <div>
          <h1 id="audit-title">Audit log</h1>
          <p className="page-subtitle">
            Every change made through the engine and every sign-in, kept append-only.
          </p>
        </div>
      </div>
      <AuditFilters key={writeAuditParams(params)} value={params} onApply={navigate} />
      {input === null ? (
        <p className="notice notice-error" role="alert">
          Fix the filter to see the audit log.
        </p>
      ) : page.isPending ? (
        <LoadingState label="Loading the audit log" />
      ) : page.isError ? (
        <ErrorNotice error={page.error} onRetry={() => void page.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No audit entries match">
          <p>Clear the filter to see everything.</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table
              className="table"
              aria-label="Audit entries"
              data-testid="audit-table"
              data-keyboard-rows
            >
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">From</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">What</th>
                </tr>
              </thead>
              <tbody>
                {items.map((entry) => (
                  <tr key={entry.id} data-testid="audit-row">
                    <td className="nowrap">
                      <LocalTime value={entry.at} />
                    </td>
                    <td data-testid="audit-actor">
                      {entry.actor.name}
                      <div className="cell-sub">
                        {entry.actor.kind}
                        {entry.role ? ` · ${entry.role}` : ''}
                      </div>
                    </td>
                    <td className="mono">{entry.address ?? '—'}</td>
                    <td>
                      <code className="tag" data-testid="audit-action">
                        {entry.action}
                      </code>
                    </td>
                    <td data-testid="audit-target">{entry.target ?? '—'}</td>
                    <td>
                      <details className="audit-details">
                        <summary>{describeAudit(entry) || 'details'}</summary>
                        <pre className="code-block">{JSON.stringify(entry.details, null, 2)}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pagination" aria-label="Pages of the audit log">
            <button
              type="button"
              className="button button-small"
              disabled={params.trail.length === 0}
              onClick={() => navigate({ ...params, trail: params.trail.slice(0, -1) })}
            >
              Newer
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={!page.data.nextCursor}
              onClick={() => {
                if (page.data.nextCursor)
                  navigate({ ...params, trail: [...params.trail, page.data.nextCursor] })
              }}
            >
              Older
            </button>
          </nav>
        </>
      )}
    </section>
  )
}

function AuditFilters({
  value,
  onApply,
}: {
  value: AuditParams
  onApply: (next: AuditParams) => void
}) {
  const [draft, setDraft] = useState(value)
  const text = (key: 'actor' | 'target', label: string, shortcut?: boolean) => (
    <FormField id={`audit-${key}`} label={label}>
      <input
        id={`audit-${key}`}
        className="input"
        autoComplete="off"
        value={draft[key]}
        data-shortcut={shortcut ? 'search' : undefined}
        onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
      />
    </FormField>
  )
  const time = (key: 'from' | 'to', label: string) => (
    <DateTimeField
      id={`audit-${key}`}
      label={label}
      value={draft[key]}
      onChange={(next) => setDraft({ ...draft, [key]: next })}
    />
  )
  const submit = (event: SubmitEvent) => {
    event.preventDefault()
    onApply({ ...draft, trail: [] })
  }
  return (
    <form
      className="panel"
      role="search"
      aria-label="Filter the audit log"
      onSubmit={submit}
      noValidate
    >
      <div className="filters">
        {text('actor', 'Who (user or token)', true)}
        <FormField id="audit-action" label="Action">
          <select
            id="audit-action"
            className="input"
            value={draft.action}
            onChange={(event) =>
              setDraft({ ...draft, action: event.target.value as AuditParams['action'] })
            }
          >
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </FormField>
        {text('target', 'Target (pipeline, user, id)')}
        {time('from', 'After')}
        {time('to', 'Before')}
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            setDraft(defaultAuditParams)
            onApply(defaultAuditParams)
          }}
        >
          Clear
        </button>
        <button type="submit" className="button button-primary">
          Apply filters
        </button>
      </div>
    </form>
  )
}
