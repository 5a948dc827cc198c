'use client'

import { retryFailuresInputSchema } from '@sluice/contract'
import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { useState, type SubmitEvent } from 'react'
import { ConfirmDialog } from '~/components/ConfirmDialog'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { fieldAria, FormField } from '~/components/FormField'
import { LoadingState } from '~/components/LoadingState'
import { LocalTime } from '~/components/LocalTime'
import { NoticeBar } from '~/components/NoticeBar'
import { useNotice } from '~/components/useNotice'
import { useEngineHealth } from '~/features/engine/useEngineHealth'
import { errorMessage } from '~/lib/errorMessage'
import { useCaller } from '~/features/auth/useCaller'
import { useTRPC } from '~/trpc/trpc'
import { useFailureActions } from './useFailureActions'

/**
 * One failed query in full: SQL and parameters (as text, never HTML), the error with its
 * SQLSTATE and detail, attempts and times; retry as is or with edited parameters, or discard.
 *
 * @example
 * <FailureDetail id="42" />
 */
export function FailureDetail({ id }: { id: string }) {
  const trpc = useTRPC()
  const { health } = useEngineHealth()
  const failure = useQuery(trpc.failures.get.queryOptions({ id }))
  const { notice, notify, dismiss } = useNotice()
  const [editing, setEditing] = useState<string | null>(null)
  const [paramsError, setParamsError] = useState<string | undefined>()
  const [confirmingDiscard, setConfirmingDiscard] = useState(false)
  const mayAct = useCaller().can('operator')

  const { retry, discard, busy } = useFailureActions({
    notify,
    onDone: () => {
      setConfirmingDiscard(false)
    },
  })

  if (failure.isPending) return <LoadingState label="Loading failed query" />
  if (failure.isError) {
    const notFound = (failure.error.data as { code?: string } | undefined)?.code === 'NOT_FOUND'
    return notFound ? (
      <EmptyState title={`No failed query ${id}`}>
        <p>
          <Link href="/failures">Back to the failed queries</Link>
        </p>
      </EmptyState>
    ) : (
      <ErrorNotice error={failure.error} onRetry={() => void failure.refetch()} />
    )
  }

  const item = failure.data
  const open = item.status === 'failed'
  const jaeger = health.data?.jaegerUiUrl.replace(/\/+$/, '')

  const retryEdited = (event: SubmitEvent) => {
    event.preventDefault()
    let params: unknown
    try {
      params = JSON.parse(editing ?? '[]')
    } catch (error) {
      setParamsError(`Parameters must be JSON: ${errorMessage(error)}`)
      return
    }
    const parsed = retryFailuresInputSchema.safeParse({ ids: [item.id], params })
    if (!parsed.success) {
      setParamsError(parsed.error.issues.map((issue) => issue.message).join('; '))
      return
    }
    setParamsError(undefined)
    retry.mutate(parsed.data)
  }

  return (
    <section aria-labelledby="failure-title">
      <div className="page-header">
        <div>
          <div className="breadcrumb">
            <Link href="/failures">Failed queries</Link> /
          </div>
          <div className="title-row">
            <h1 id="failure-title">Failed query {item.id}</h1>
            <span className={`badge badge-failure-${item.status}`} data-testid="failure-status">
              {item.status}
            </span>
          </div>
        </div>
        {mayAct ? (
          <div className="actions">
            <button
              type="button"
              className="button button-primary"
              disabled={!open || busy}
              onClick={() => retry.mutate({ ids: [item.id] })}
            >
              {retry.isPending ? 'Retrying…' : 'Retry'}
            </button>
            <button
              type="button"
              className="button"
              disabled={!open || busy || editing !== null}
              onClick={() => setEditing(JSON.stringify(item.params, null, 2))}
            >
              Edit parameters…
            </button>
            <button
              type="button"
              className="button button-danger-outline"
              disabled={!open || busy}
              onClick={() => setConfirmingDiscard(true)}
            >
              Discard
            </button>
          </div>
        ) : null}
      </div>
      <NoticeBar notice={notice} onDismiss={dismiss} />
      <div className="two-col">
        <div>
          <section className="panel" aria-labelledby="sql-title">
            <h2 id="sql-title" className="panel-title">
              SQL
            </h2>
            <pre className="code-block" data-testid="failure-detail-sql">
              {item.sql}
            </pre>
            <h2 className="panel-title">Parameters</h2>
            <pre className="code-block" data-testid="failure-detail-params">
              {item.paramsHidden
                ? '(hidden: your role does not see SQL parameters)'
                : item.params.length === 0
                  ? '(none)'
                  : JSON.stringify(item.params, null, 2)}
            </pre>
          </section>
          {/* Once a retry has resolved it, there is nothing left to edit. */}
          {editing !== null && open ? (
            <form
              className="panel form"
              onSubmit={retryEdited}
              noValidate
              aria-labelledby="edit-params-title"
            >
              <h2 id="edit-params-title" className="panel-title">
                Retry with edited parameters
              </h2>
              <FormField
                id="edit-params"
                label="Parameters (JSON array, $1 first)"
                error={paramsError}
              >
                <textarea
                  id="edit-params"
                  className="input"
                  rows={Math.min(12, editing.split('\n').length + 1)}
                  value={editing}
                  onChange={(event) => setEditing(event.target.value)}
                  spellCheck={false}
                  {...fieldAria('edit-params', paramsError)}
                />
              </FormField>
              <div className="form-actions">
                <button type="button" className="button" onClick={() => setEditing(null)}>
                  Cancel
                </button>
                <button type="submit" className="button button-primary" disabled={busy}>
                  Retry with these parameters
                </button>
              </div>
            </form>
          ) : null}
        </div>
        <section className="panel" aria-labelledby="error-title">
          <h2 id="error-title" className="panel-title">
            Error
          </h2>
          <dl className="details">
            <dt>Message</dt>
            <dd className="error-text" data-testid="failure-error">
              {item.error.message}
            </dd>
            <dt>SQLSTATE</dt>
            <dd data-testid="failure-sqlstate">
              {item.error.code ? <code className="tag">{item.error.code}</code> : '—'}
            </dd>
            <dt>Detail</dt>
            <dd>{item.error.detail ?? '—'}</dd>
            <dt>Outcome</dt>
            <dd>{item.outcome.replace('_', ' ')}</dd>
            <dt>Attempts</dt>
            <dd data-testid="failure-attempts">{item.attempts}</dd>
            <dt>Pipeline</dt>
            <dd>
              <Link href={`/pipelines/${encodeURIComponent(item.pipeline)}`}>{item.pipeline}</Link>
            </dd>
            <dt>First failed</dt>
            <dd>
              <LocalTime value={item.firstFailedAt} testId="failure-first-failed" />
            </dd>
            <dt>Last failed</dt>
            <dd>
              <LocalTime value={item.lastFailedAt} testId="failure-last-failed" />
            </dd>
            <dt>Resolved</dt>
            <dd>
              <LocalTime value={item.resolvedAt} />
            </dd>
            <dt>Callback id</dt>
            <dd>{item.callbackId ?? '—'}</dd>
            <dt>Batch</dt>
            <dd className="mono">{item.batchId ?? '—'}</dd>
            <dt>Trace</dt>
            <dd>
              {item.traceId && jaeger ? (
                <a href={`${jaeger}/trace/${item.traceId}`} target="_blank" rel="noreferrer">
                  Open in Jaeger ↗
                </a>
              ) : (
                (item.traceId ?? 'not traced')
              )}
            </dd>
          </dl>
        </section>
      </div>
      <ConfirmDialog
        open={confirmingDiscard}
        title="Discard this failed query?"
        confirmLabel="Discard"
        danger
        busy={discard.isPending}
        onCancel={() => setConfirmingDiscard(false)}
        onConfirm={() => discard.mutate({ ids: [item.id] })}
      >
        <p>It will not run again.</p>
      </ConfirmDialog>
    </section>
  )
}
