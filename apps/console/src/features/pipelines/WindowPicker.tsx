'use client'

import { chartWindows } from '~/features/metrics/metricsWindows'

/**
 * A segmented control for the charts' time window.
 *
 * @example
 * <WindowPicker value={windowSeconds} onChange={setWindowSeconds} />
 */
export function WindowPicker({
  value,
  onChange,
}: {
  value: number
  onChange: (seconds: number) => void
}) {
  return (
    <div className="segmented" role="group" aria-label="Chart window">
      {chartWindows.map((option) => (
        <button
          key={option.seconds}
          type="button"
          aria-pressed={value === option.seconds}
          onClick={() => onChange(option.seconds)}
        >
          {option.label}
        </button>
      ))}
    </div>
  )
}
