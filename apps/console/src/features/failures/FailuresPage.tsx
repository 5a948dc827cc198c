'use client'

import { failureFilterSchema } from '@sluice/engine/schemas'
import {
  keepPreviousData,
  skipToken,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useState } from 'react'
import { ConfirmDialog } from '~/components/ConfirmDialog'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { LoadingState } from '~/components/LoadingState'
import { NoticeBar } from '~/components/NoticeBar'
import { useNotice } from '~/components/useNotice'
import { errorMessage } from '~/lib/errorMessage'
import { fieldErrors } from '~/lib/fieldErrors'
import { formatCount } from '~/lib/format'
import { useTRPC } from '~/trpc/trpc'
import { describeRetry } from './describeRetry'
import { FailureFilters } from './FailureFilters'
import {
  readFilterParams,
  toFilterInput,
  writeFilterParams,
  type FailureFilterParams,
} from './failureFilterParams'
import { FailuresTable } from './FailuresTable'

const pageSize = 25

/**
 * The failed queries: filter (failing only by default), page through, select, retry one,
 * selected or all matching, and discard selected or all matching (bulk actions show how many
 * first, and apply to failing queries only, as the engine does). The filter lives in the URL.
 *
 * @example
 * <Suspense><FailuresPage /></Suspense>
 */
export function FailuresPage() {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const router = useRouter()
  const pathname = usePathname()
  const searchParams = useSearchParams()
  const params = readFilterParams(new URLSearchParams(searchParams.toString()))
  const urlKey = writeFilterParams(params)
  const parsedFilter = failureFilterSchema.safeParse(toFilterInput(params))
  const filter = parsedFilter.success ? parsedFilter.data : null
  const filterErrors = parsedFilter.success ? {} : fieldErrors(parsedFilter.error.issues)

  const pipelines = useQuery(trpc.pipelines.list.queryOptions())
  const page = useQuery({
    ...trpc.failures.list.queryOptions(
      filter ? { ...filter, limit: pageSize, cursor: params.trail.at(-1) } : skipToken,
    ),
    placeholderData: keepPreviousData,
    refetchInterval: 5_000,
  })
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [confirming, setConfirming] = useState<'retry-all' | 'discard-all' | 'discard' | null>(null)
  // The engine's retryAll and discardAll touch only failing queries whatever the status filter
  // says, so the count shown before confirming is taken over the same scope.
  const bulkScope = filter ? { ...filter, status: 'failed' as const } : null
  const bulkPossible = params.status === 'failed' || params.status === 'any'
  const confirmingBulk = confirming === 'retry-all' || confirming === 'discard-all'
  const matching = useQuery({
    ...trpc.failures.count.queryOptions(bulkScope ?? skipToken),
    enabled: confirmingBulk && bulkScope !== null,
    staleTime: 0,
  })
  const { notice, notify, dismiss } = useNotice()

  const navigate = (next: FailureFilterParams) => {
    setSelected(new Set())
    const query = writeFilterParams(next)
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false })
  }
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.failures.pathKey() })
    await queryClient.invalidateQueries({ queryKey: trpc.pipelines.pathKey() })
  }

  const retry = useMutation(
    trpc.failures.retry.mutationOptions({
      onSuccess: async (report) => {
        setSelected(new Set())
        await refresh()
        const { message, tone } = describeRetry(report)
        notify(message, tone)
      },
      onError: (error) => notify(`Retry failed: ${errorMessage(error)}`, 'error'),
    }),
  )
  const retryAll = useMutation(
    trpc.failures.retryAll.mutationOptions({
      onSuccess: async (report) => {
        setConfirming(null)
        setSelected(new Set())
        await refresh()
        const { message, tone } = describeRetry(report)
        notify(message, tone)
      },
      onError: (error) => {
        setConfirming(null)
        notify(`Retry failed: ${errorMessage(error)}`, 'error')
      },
    }),
  )
  // Discarding the selection and discarding all matching end the same way.
  const discardOutcome = {
    onSuccess: async (result: { count: number }) => {
      setConfirming(null)
      setSelected(new Set())
      await refresh()
      notify(`Discarded ${result.count} failed ${result.count === 1 ? 'query' : 'queries'}.`)
    },
    onError: (error: unknown) => {
      setConfirming(null)
      notify(`Discard failed: ${errorMessage(error)}`, 'error')
    },
  }
  const discardAll = useMutation(trpc.failures.discardAll.mutationOptions(discardOutcome))
  const discard = useMutation(trpc.failures.discard.mutationOptions(discardOutcome))

  const items = page.data?.items ?? []
  const total = page.data?.total ?? 0
  // Approximate once failures arrive while paging (they go to page one): the count is of pages.
  const pagesBefore = params.trail.length
  const firstShown = total === 0 || items.length === 0 ? 0 : pagesBefore * pageSize + 1
  const lastShown = Math.min(total, pagesBefore * pageSize + items.length)
  const selectedIds = [...selected]
  const busy = retry.isPending || retryAll.isPending || discard.isPending || discardAll.isPending
  const matchingText = (consequence: string) =>
    matching.isFetching
      ? 'Counting matching queries…'
      : matching.data
        ? `${formatCount(matching.data.count)} failed ${matching.data.count === 1 ? 'query matches' : 'queries match'} the filter. ${consequence}`
        : matching.error
          ? errorMessage(matching.error)
          : null

  return (
    <section aria-labelledby="failures-title">
      <div className="page-header">
        <div>
          <h1 id="failures-title">Failed queries</h1>
          <p className="page-subtitle">
            Every query that did not succeed, kept until it is retried successfully or discarded.
          </p>
        </div>
      </div>
      <FailureFilters
        key={urlKey}
        value={params}
        pipelines={pipelines.data?.map((p) => p.name) ?? []}
        errors={filterErrors}
        onApply={navigate}
      />
      <NoticeBar notice={notice} onDismiss={dismiss} />
      <div className="toolbar">
        <span className="toolbar-count" data-testid="failures-count" aria-live="polite">
          {page.data ? `${formatCount(total)} matching` : ''}
          {selected.size > 0 ? ` · ${selected.size} selected` : ''}
        </span>
        <button
          type="button"
          className="button button-small"
          disabled={selected.size === 0 || busy}
          onClick={() => retry.mutate({ ids: selectedIds })}
        >
          Retry selected
        </button>
        <button
          type="button"
          className="button button-small button-danger-outline"
          disabled={selected.size === 0 || busy}
          onClick={() => setConfirming('discard')}
        >
          Discard selected
        </button>
        <button
          type="button"
          className="button button-small button-primary"
          disabled={!filter || total === 0 || busy || !bulkPossible}
          onClick={() => setConfirming('retry-all')}
        >
          Retry all matching…
        </button>
        <button
          type="button"
          className="button button-small button-danger-outline"
          disabled={!filter || total === 0 || busy || !bulkPossible}
          onClick={() => setConfirming('discard-all')}
        >
          Discard all matching…
        </button>
      </div>
      {!filter ? (
        <p className="notice notice-error" role="alert">
          Fix the filter to see failed queries.
        </p>
      ) : page.isPending ? (
        <LoadingState label="Loading failed queries" />
      ) : page.isError ? (
        <ErrorNotice error={page.error} onRetry={() => void page.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          title={params.status === 'failed' ? 'No failing queries' : 'No failed queries match'}
        >
          <p>
            {urlKey
              ? 'Nothing matches this filter. Clear it to see everything.'
              : 'Every query that was accepted has succeeded so far.'}
          </p>
        </EmptyState>
      ) : (
        <>
          <FailuresTable
            items={items}
            selected={selected}
            onToggle={(id) => {
              const next = new Set(selected)
              if (next.has(id)) next.delete(id)
              else next.add(id)
              setSelected(next)
            }}
            onToggleAll={(select) =>
              setSelected(select ? new Set(items.map((item) => item.id)) : new Set())
            }
          />
          <nav className="pagination" aria-label="Pages of failed queries">
            <span>
              {formatCount(firstShown)}–{formatCount(lastShown)} of {formatCount(total)}
            </span>
            <button
              type="button"
              className="button button-small"
              disabled={params.trail.length === 0}
              onClick={() => navigate({ ...params, trail: params.trail.slice(0, -1) })}
            >
              Previous
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={page.data.nextCursor === null}
              onClick={() => {
                const next = page.data.nextCursor
                if (next) navigate({ ...params, trail: [...params.trail, next] })
              }}
            >
              Next
            </button>
          </nav>
        </>
      )}
      <ConfirmDialog
        open={confirming === 'retry-all'}
        title="Retry all matching failed queries?"
        confirmLabel={matching.data ? `Retry ${formatCount(matching.data.count)}` : 'Retry'}
        busy={retryAll.isPending || matching.isFetching}
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          if (bulkScope) retryAll.mutate(bulkScope)
        }}
      >
        <p data-testid="retry-all-count">{matchingText('Each runs again through its pipeline.')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'discard-all'}
        title="Discard all matching failed queries?"
        confirmLabel={matching.data ? `Discard ${formatCount(matching.data.count)}` : 'Discard'}
        danger
        busy={discardAll.isPending || matching.isFetching}
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          if (bulkScope) discardAll.mutate(bulkScope)
        }}
      >
        <p data-testid="discard-all-count">
          {matchingText('They will not run again. They stay listed under the “Discarded” status.')}
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'discard'}
        title={`Discard ${selected.size} failed ${selected.size === 1 ? 'query' : 'queries'}?`}
        confirmLabel="Discard"
        danger
        busy={discard.isPending}
        onCancel={() => setConfirming(null)}
        onConfirm={() => discard.mutate({ ids: selectedIds })}
      >
        <p>They will not run again. They stay listed under the “Discarded” status.</p>
      </ConfirmDialog>
    </section>
  )
}
