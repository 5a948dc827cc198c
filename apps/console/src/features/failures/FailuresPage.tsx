'use client'

import { keepPreviousData, skipToken, useQuery } from '@tanstack/react-query'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { LoadingState } from '~/components/LoadingState'
import { NoticeBar } from '~/components/NoticeBar'
import { useNotice } from '~/components/useNotice'
import { useCaller } from '~/features/auth/useCaller'
import { useTRPC } from '~/trpc/trpc'
import { FailureFilters } from './FailureFilters'
import {
  failuresPageRequest,
  readFilterParams,
  writeFilterParams,
  type FailureFilterParams,
} from './failureFilterParams'
import { FailuresBulkActions } from './FailuresBulkActions'
import { FailuresPager } from './FailuresPager'
import { FailuresTable } from './FailuresTable'
import { useFailureSelection } from './useFailureSelection'

/**
 * The failed queries: filter (failing only by default), page through, select, and act on one,
 * the selection or all matching. The filter and the page live in the URL.
 *
 * @example
 * <Suspense><FailuresPage /></Suspense>
 */
export function FailuresPage() {
  const trpc = useTRPC()
  const router = useRouter()
  const pathname = usePathname()
  const searchParams = useSearchParams()
  const params = readFilterParams(new URLSearchParams(searchParams.toString()))
  const urlKey = writeFilterParams(params)
  const { filter, list, errors } = failuresPageRequest(params)

  const pipelines = useQuery(trpc.pipelines.list.queryOptions())
  const page = useQuery({
    ...trpc.failures.list.queryOptions(list ?? skipToken),
    placeholderData: keepPreviousData,
    refetchInterval: 5_000,
  })
  const selection = useFailureSelection()
  const { can, seesParams } = useCaller()
  const { notice, notify, dismiss } = useNotice()

  const navigate = (next: FailureFilterParams) => {
    selection.clear()
    const query = writeFilterParams(next)
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false })
  }
  const items = page.data?.items ?? []

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
        searchParams={seesParams}
        pipelines={pipelines.data?.map((p) => p.name) ?? []}
        errors={errors}
        onApply={navigate}
      />
      <NoticeBar notice={notice} onDismiss={dismiss} />
      <FailuresBulkActions
        filter={filter}
        total={page.data?.total}
        totalIsEstimate={page.data?.totalIsEstimate ?? false}
        selection={selection}
        notify={notify}
      />
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
            selectable={can('operator')}
            selected={selection.selected}
            onToggle={selection.toggle}
            onToggleAll={(select) => {
              selection.setAll(
                items.map((item) => item.id),
                select,
              )
            }}
          />
          <FailuresPager
            params={params}
            shown={items.length}
            total={page.data.total}
            totalIsEstimate={page.data.totalIsEstimate}
            nextCursor={page.data.nextCursor}
            onNavigate={navigate}
          />
        </>
      )}
    </section>
  )
}
