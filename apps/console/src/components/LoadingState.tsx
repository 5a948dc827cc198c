/**
 * A placeholder while data loads; announced politely to screen readers.
 *
 * @example
 * if (pipelines.isPending) return <LoadingState label="Loading pipelines" />
 */
export function LoadingState({ label }: { label: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}…
    </div>
  )
}
