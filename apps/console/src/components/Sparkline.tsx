/**
 * A tiny line of recent values for a table cell, drawn as plain SVG (no axes, no tooltips).
 * Missing values (null) break the line.
 *
 * @example
 * <Sparkline values={[3, 5, null, 8]} label="Throughput over the last minute" />
 */
export function Sparkline({
  values,
  label,
  width = 120,
  height = 28,
}: {
  values: readonly (number | null)[]
  label: string
  width?: number
  height?: number
}) {
  const numbers = values.filter((v): v is number => v !== null)
  const max = Math.max(1, ...numbers)
  const step = values.length > 1 ? width / (values.length - 1) : width
  const segments: string[] = []
  let current = ''
  values.forEach((value, index) => {
    if (value === null) {
      if (current) segments.push(current)
      current = ''
      return
    }
    const x = (index * step).toFixed(1)
    const y = (height - 2 - (value / max) * (height - 4)).toFixed(1)
    current += `${current ? ' L' : 'M'}${x},${y}`
  })
  if (current) segments.push(current)
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      data-testid="sparkline"
      data-points={numbers.length}
    >
      <line x1="0" x2={width} y1={height - 1} y2={height - 1} className="sparkline-base" />
      {segments.map((d) => (
        <path key={d} d={d} className="sparkline-line" />
      ))}
    </svg>
  )
}
