import { errorMessage } from '~/lib/errorMessage'

/**
 * An error from a call, with an optional retry.
 *
 * @example
 * {query.error ? <ErrorNotice error={query.error} onRetry={() => query.refetch()} /> : null}
 */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <span>{errorMessage(error)}</span>
      {onRetry ? (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  )
}
