import type { AuditEntry } from '@sluice/contract'

const json = (value: unknown): string => JSON.stringify(value)

/** Fields whose value differs between two configs, as `batchSize 100 → 7`. */
function changedFields(before: unknown, after: unknown, prefix = ''): string[] {
  if (
    typeof before !== 'object' ||
    typeof after !== 'object' ||
    before === null ||
    after === null
  ) {
    return json(before) === json(after)
      ? []
      : [`${prefix || 'value'} ${json(before)} → ${json(after)}`]
  }
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  return [...keys].flatMap((key) =>
    changedFields(
      (before as Record<string, unknown>)[key],
      (after as Record<string, unknown>)[key],
      `${prefix}${prefix ? '.' : ''}${key}`,
    ),
  )
}

/**
 * One line saying what an audit entry changed: the config fields of an edit, the counts of a
 * retry, the edited parameters, a sign-in's method or a refusal's reason. The full details are
 * shown as JSON beside it.
 *
 * @example
 * describeAudit(entry) // 'batchSize 100 → 7'
 */
export function describeAudit(entry: AuditEntry): string {
  const d = entry.details
  switch (entry.action) {
    case 'pipeline.update':
      return changedFields(d.before, d.after).join(', ') || 'no change'
    case 'pipeline.flush':
      return `${json(d.queued)} queued`
    case 'failures.retry':
    case 'failures.retryAll': {
      const ids = Array.isArray(d.ids) ? d.ids.length : 0
      const edit = d.edit as { before?: unknown; after?: unknown } | undefined
      const counts = `${json(d.matched)} matched: ${json(d.resolved)} resolved, ${json(d.failed)} failed again, ${json(d.notRetried)} not retried`
      return `${ids} id${ids === 1 ? '' : 's'}, ${counts}${edit ? `; params ${json(edit.before)} → ${json(edit.after)}` : ''}`
    }
    case 'failures.discard':
    case 'failures.discardAll':
      return `${json(d.count)} discarded`
    case 'auth.signIn':
      return `signed in with ${d.method === 'oidc' ? 'OpenID Connect' : 'a password'}`
    case 'auth.signInFailed':
      return `refused: ${typeof d.reason === 'string' ? d.reason : 'unknown'}`
    case 'user.setRole':
      return `${json(d.before)} → ${json(d.after)}`
    case 'user.add':
      return `as ${json(d.role)}`
    case 'access.denied':
      return `needs the ${typeof d.requiredRole === 'string' ? d.requiredRole : '?'} role`
    default:
      return ''
  }
}
