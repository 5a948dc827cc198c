import type { RetryReport } from '@sluice/contract'

/**
 * A retry's result in one sentence, with the first new error when some failed again.
 *
 * @example
 * describeRetry({ matched: 2, resolved: 2, failed: 0, notRetried: 0, outcomes: [] })
 * // 'Retried 2: 2 succeeded.'
 */
export function describeRetry(report: RetryReport): { message: string; tone: 'success' | 'error' } {
  const parts = [`${report.resolved} succeeded`]
  if (report.failed > 0) parts.push(`${report.failed} failed again`)
  if (report.notRetried > 0) parts.push(`${report.notRetried} not retried`)
  const firstError = report.outcomes.find((outcome) => outcome.error)?.error
  const reason = firstError
    ? ` (${firstError.code ? `${firstError.code}: ` : ''}${firstError.message})`
    : ''
  const noun = report.matched === 1 ? 'query' : 'queries'
  return {
    message:
      report.matched === 0
        ? 'Nothing matched: no query was retried.'
        : `Retried ${report.matched} ${noun}: ${parts.join(', ')}${reason}.`,
    tone: report.failed + report.notRetried > 0 ? 'error' : 'success',
  }
}
