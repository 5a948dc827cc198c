'use client'

import type { BatchView } from '@sluice/contract'
import { useQuery } from '@tanstack/react-query'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { LoadingState } from '~/components/LoadingState'
import { LocalTime } from '~/components/LocalTime'
import { formatCount, formatDuration } from '~/lib/format'
import { useTRPC } from '~/trpc/trpc'
import { recentBatchesInput } from './recentBatchesInput'

/** A batch's outcome in words and a tone for its badge. */
function outcome(batch: BatchView): { label: string; tone: 'ok' | 'partial' | 'failed' } {
  const notOk = batch.failed + batch.skipped + batch.rolledBack
  if (notOk === 0) return { label: `${batch.succeeded} ok`, tone: 'ok' }
  const parts = [
    batch.succeeded > 0 ? `${batch.succeeded} ok` : null,
    batch.failed > 0 ? `${batch.failed} failed` : null,
    batch.skipped > 0 ? `${batch.skipped} skipped` : null,
    batch.rolledBack > 0 ? `${batch.rolledBack} rolled back` : null,
  ].filter(Boolean)
  return { label: parts.join(', '), tone: batch.succeeded > 0 ? 'partial' : 'failed' }
}

/**
 * The pipeline's latest batches: when, how big, how long, how they ended, and a link to each
 * batch's trace in Jaeger.
 *
 * @example
 * <RecentBatches pipeline="orders" />
 */
export function RecentBatches({ pipeline }: { pipeline: string }) {
  const trpc = useTRPC()
  const batches = useQuery({
    ...trpc.batches.list.queryOptions(recentBatchesInput(pipeline)),
    refetchInterval: 2_000,
  })
  return (
    <section className="panel" aria-labelledby="batches-title">
      <div className="panel-header">
        <h2 id="batches-title" className="panel-title">
          Recent batches
        </h2>
        {batches.data ? (
          <span className="cell-sub">traces open in Jaeger ({batches.data.jaegerUiUrl})</span>
        ) : null}
      </div>
      {batches.isPending ? (
        <LoadingState label="Loading batches" />
      ) : batches.isError ? (
        <ErrorNotice error={batches.error} onRetry={() => void batches.refetch()} />
      ) : batches.data.items.length === 0 ? (
        <EmptyState title="No batches yet">
          <p>Batches appear here as soon as queries arrive.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Recent batches" data-testid="recent-batches">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col">Outcome</th>
                <th scope="col">Trace</th>
              </tr>
            </thead>
            <tbody>
              {batches.data.items.map((batch) => {
                const result = outcome(batch)
                return (
                  <tr key={batch.batchId} data-testid="batch-row">
                    <td title={batch.batchId}>
                      <LocalTime value={batch.startedAt} clock />
                    </td>
                    <td
                      className="num"
                      data-testid="batch-size"
                      title={`${batch.statements} statements sent (${batch.merged} merged, ${batch.deduplicated} deduplicated)`}
                    >
                      {formatCount(batch.size)}
                    </td>
                    <td className="num">{formatDuration(batch.durationMs)}</td>
                    <td>
                      <span className={`badge badge-outcome-${result.tone}`}>{result.label}</span>
                    </td>
                    <td>
                      {batch.traceUrl ? (
                        <a
                          href={batch.traceUrl}
                          target="_blank"
                          rel="noreferrer"
                          aria-label={`Trace of batch ${batch.batchId} in Jaeger`}
                        >
                          Open trace ↗
                        </a>
                      ) : (
                        <span className="cell-sub">not traced</span>
                      )}
                      <BatchCallers batchId={batch.batchId} callers={batch.callers} />
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** How many callers to link by name; the rest are counted. */
const shownCallers = 3

/**
 * The requests a batch served that sent a `traceparent`: a link to each caller's trace (the
 * first few), so an operator can go from a slow batch to the requests that waited on it.
 */
function BatchCallers({
  batchId,
  callers,
}: {
  batchId: string
  callers: readonly { traceId: string; spanId: string; traceUrl: string }[]
}) {
  if (callers.length === 0) return null
  const more = callers.length - shownCallers
  return (
    <div className="cell-sub" data-testid="batch-callers">
      callers:{' '}
      {callers.slice(0, shownCallers).map((caller, index) => (
        <span key={`${caller.traceId}-${caller.spanId}`}>
          {index > 0 ? ', ' : ''}
          <a
            href={caller.traceUrl}
            target="_blank"
            rel="noreferrer"
            title={`span ${caller.spanId}`}
            aria-label={`Trace of caller ${index + 1} of batch ${batchId} in Jaeger`}
          >
            {caller.traceId.slice(0, 8)}
          </a>
        </span>
      ))}
      {more > 0 ? ` and ${formatCount(more)} more` : ''}
    </div>
  )
}
