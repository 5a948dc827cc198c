import { formatCount, formatMatching } from '~/lib/format'
import { failuresPageSize, type FailureFilterParams } from './failureFilterParams'

interface FailuresPagerProps {
  params: FailureFilterParams
  shown: number
  total: number
  /** `total` is the engine's estimate (beyond the count it makes exactly). */
  totalIsEstimate: boolean
  nextCursor: string | null
  onNavigate: (next: FailureFilterParams) => void
}

/**
 * Where this page sits in the list and the way to the next and previous ones. Going forward
 * adds the engine's cursor to the trail in the URL; going back drops the last one.
 */
export function FailuresPager({
  params,
  shown,
  total,
  totalIsEstimate,
  nextCursor,
  onNavigate,
}: FailuresPagerProps) {
  // Approximate once failures arrive while paging (they go to page one): the count is of pages.
  const pagesBefore = params.trail.length
  const firstShown = total === 0 || shown === 0 ? 0 : pagesBefore * failuresPageSize + 1
  const reached = pagesBefore * failuresPageSize + shown
  const lastShown = totalIsEstimate ? reached : Math.min(total, reached)
  return (
    <nav className="pagination" aria-label="Pages of failed queries">
      <span data-testid="failures-range">
        {formatCount(firstShown)}–{formatCount(lastShown)} of{' '}
        {formatMatching(total, totalIsEstimate)}
      </span>
      <button
        type="button"
        className="button button-small"
        disabled={pagesBefore === 0}
        onClick={() => onNavigate({ ...params, trail: params.trail.slice(0, -1) })}
      >
        Previous
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={nextCursor === null}
        onClick={() => {
          if (nextCursor) onNavigate({ ...params, trail: [...params.trail, nextCursor] })
        }}
      >
        Next
      </button>
    </nav>
  )
}
