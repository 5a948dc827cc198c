'use client'

import type { FailureFilter } from '@sluice/contract'
import { skipToken, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { ConfirmDialog } from '~/components/ConfirmDialog'
import type { Notify } from '~/components/useNotice'
import { errorMessage } from '~/lib/errorMessage'
import { useCaller } from '~/features/auth/useCaller'
import { formatCount, formatMatching } from '~/lib/format'
import { useTRPC } from '~/trpc/trpc'
import type { FailureSelection } from './useFailureSelection'
import { useFailureActions } from './useFailureActions'

interface FailuresBulkActionsProps {
  /** The checked filter, or null while it has errors. */
  filter: FailureFilter | null
  /** Failures matching the filter, once the page has loaded. */
  total: number | undefined
  /** `total` is an estimate. */
  totalIsEstimate: boolean
  selection: FailureSelection
  notify: Notify
}

/** What "… all matching" asks before it acts. */
const allMatching = {
  'retry-all': {
    button: 'Retry all matching…',
    buttonClass: 'button button-small button-primary',
    title: 'Retry all matching failed queries?',
    verb: 'Retry',
    consequence: 'Each runs again through its pipeline.',
    danger: false,
  },
  'discard-all': {
    button: 'Discard all matching…',
    buttonClass: 'button button-small button-danger-outline',
    title: 'Discard all matching failed queries?',
    verb: 'Discard',
    consequence: 'They will not run again. They stay listed under the “Discarded” status.',
    danger: true,
  },
} as const

const allMatchingKinds = ['retry-all', 'discard-all'] as const

/**
 * The failures toolbar: how many match and are selected, retry or discard the selection, and
 * retry or discard all matching after a count. Bulk actions apply to failing queries only, as
 * the engine does.
 */
export function FailuresBulkActions({
  filter,
  total,
  totalIsEstimate,
  selection,
  notify,
}: FailuresBulkActionsProps) {
  const trpc = useTRPC()
  const mayAct = useCaller().can('operator')
  const [confirming, setConfirming] = useState<keyof typeof allMatching | 'discard' | null>(null)
  const actions = useFailureActions({
    notify,
    onDone: (succeeded) => {
      setConfirming(null)
      if (succeeded) selection.clear()
    },
  })
  // The engine's retryAll and discardAll touch only failing queries whatever the status filter
  // says, so the count shown before confirming is taken over the same scope.
  const bulkScope =
    filter && filter.status !== 'resolved' && filter.status !== 'discarded'
      ? { ...filter, status: 'failed' as const }
      : null
  const confirmingAll = confirming === 'retry-all' || confirming === 'discard-all'
  const matching = useQuery({
    ...trpc.failures.count.queryOptions(bulkScope ?? skipToken),
    enabled: confirmingAll && bulkScope !== null,
    staleTime: 0,
  })
  const selectedCount = selection.selected.size
  const { busy } = actions

  return (
    <>
      <div className="toolbar">
        <span className="toolbar-count" data-testid="failures-count" aria-live="polite">
          {total === undefined ? '' : `${formatMatching(total, totalIsEstimate)} matching`}
          {selectedCount > 0 ? ` · ${selectedCount} selected` : ''}
        </span>
        {mayAct ? (
          <>
            <button
              type="button"
              className="button button-small"
              disabled={selectedCount === 0 || busy}
              onClick={() => actions.retry.mutate({ ids: selection.ids })}
            >
              Retry selected
            </button>
            <button
              type="button"
              className="button button-small button-danger-outline"
              disabled={selectedCount === 0 || busy}
              onClick={() => setConfirming('discard')}
            >
              Discard selected
            </button>
            {allMatchingKinds.map((kind) => (
              <button
                key={kind}
                type="button"
                className={allMatching[kind].buttonClass}
                disabled={!bulkScope || !total || busy}
                onClick={() => setConfirming(kind)}
              >
                {allMatching[kind].button}
              </button>
            ))}
          </>
        ) : null}
      </div>
      {allMatchingKinds.map((kind) => {
        const { title, verb, consequence, danger } = allMatching[kind]
        const run = kind === 'retry-all' ? actions.retryAll : actions.discardAll
        return (
          <ConfirmDialog
            key={kind}
            open={confirming === kind}
            title={title}
            confirmLabel={matching.data ? `${verb} ${formatCount(matching.data.count)}` : verb}
            danger={danger}
            busy={run.isPending || matching.isFetching}
            onCancel={() => setConfirming(null)}
            onConfirm={() => {
              if (bulkScope) run.mutate(bulkScope)
            }}
          >
            <p data-testid={`${kind}-count`}>
              {matching.isFetching
                ? 'Counting matching queries…'
                : matching.data
                  ? `${formatCount(matching.data.count)} failed ${matching.data.count === 1 ? 'query matches' : 'queries match'} the filter. ${consequence}`
                  : matching.error
                    ? errorMessage(matching.error)
                    : null}
            </p>
          </ConfirmDialog>
        )
      })}
      <ConfirmDialog
        open={confirming === 'discard'}
        title={`Discard ${selectedCount} failed ${selectedCount === 1 ? 'query' : 'queries'}?`}
        confirmLabel="Discard"
        danger
        busy={actions.discard.isPending}
        onCancel={() => setConfirming(null)}
        onConfirm={() => actions.discard.mutate({ ids: selection.ids })}
      >
        <p>{allMatching['discard-all'].consequence}</p>
      </ConfirmDialog>
    </>
  )
}
