import type { Notice } from './useNotice'

/**
 * Shows the page's latest notice: errors as alerts, successes as polite status messages.
 *
 * @example
 * <NoticeBar notice={notice} onDismiss={dismiss} />
 */
export function NoticeBar({ notice, onDismiss }: { notice: Notice | null; onDismiss: () => void }) {
  if (!notice) return <div className="notice-slot" role="status" aria-live="polite" />
  return (
    <div
      className="notice-slot"
      role={notice.tone === 'error' ? 'alert' : 'status'}
      aria-live="polite"
    >
      <div className={`notice notice-${notice.tone}`} data-testid="notice">
        <span>{notice.message}</span>
        <button
          type="button"
          className="button-link"
          onClick={onDismiss}
          aria-label="Dismiss message"
        >
          ×
        </button>
      </div>
    </div>
  )
}
