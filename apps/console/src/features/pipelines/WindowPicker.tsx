'use client'

/** The chart windows an operator can pick. */
export const chartWindows = [
  { seconds: 300, label: '5 min' },
  { seconds: 900, label: '15 min' },
  { seconds: 3_600, label: '1 h' },
] as const

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
