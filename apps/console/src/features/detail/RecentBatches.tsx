'use client'

import type { BatchView } from '@sluice/engine/schemas'
import { useQuery } from '@tanstack/react-query'
import { EmptyState } from '~/components/EmptyState'
import { ErrorNotice } from '~/components/ErrorNotice'
import { LoadingState } from '~/components/LoadingState'
import { formatClock, formatCount, formatDuration } from '~/lib/format'
import { useTRPC } from '~/trpc/trpc'

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
    ...trpc.batches.list.queryOptions({ pipeline, limit: 15 }),
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
                      {formatClock(new Date(batch.startedAt).getTime())}
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
