import type { ReactNode } from 'react'

/**
 * What a list shows when it has nothing in it, with a hint of what to do next.
 *
 * @example
 * <EmptyState title="No pipelines yet">Create one with the form above.</EmptyState>
 */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-hint">{children}</div> : null}
    </div>
  )
}
