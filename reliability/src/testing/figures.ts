import { appendFileSync } from 'node:fs'

/**
 * Prints one line of figures for a fault test (copied into docs/reliability.md), and appends it
 * as JSON to `$RELIABILITY_FIGURES_FILE` when set.
 *
 * @example
 * reportFigures('engine SIGKILL', { acknowledged: 1200, lost: 0, duplicated: 0 })
 */
export function reportFigures(
  test: string,
  figures: Record<string, number | string | boolean>,
): void {
  const line = Object.entries(figures)
    .map(
      ([name, value]) =>
        `${name}=${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : String(value)}`,
    )
    .join(' ')
  console.log(`[reliability] ${test}: ${line}`)
  const file = process.env.RELIABILITY_FIGURES_FILE
  if (file)
    appendFileSync(file, `${JSON.stringify({ test, ...figures, at: new Date().toISOString() })}\n`)
}

/** True when the long variants should run (`RELIABILITY_LONG=1`). */
export const longRun = process.env.RELIABILITY_LONG === '1'
