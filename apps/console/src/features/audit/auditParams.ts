import {
  AUDIT_ACTIONS,
  listAuditInputSchema,
  type AuditAction,
  type ListAuditInput,
} from '@sluice/contract'
import { localToIso } from '~/lib/urlParams'

/** The audit page's filter as it sits in the URL. */
export interface AuditParams {
  actor: string
  action: AuditAction | ''
  target: string
  /** `datetime-local` values, in the browser's time zone. */
  from: string
  to: string
  /** The `nextCursor` of every page before this one (empty on the first). */
  trail: readonly string[]
}

export const defaultAuditParams: AuditParams = Object.freeze({
  actor: '',
  action: '',
  target: '',
  from: '',
  to: '',
  trail: [],
})

/** Entries on one page of the audit log. */
export const auditPageSize = 50

const actions = new Set<string>(AUDIT_ACTIONS)

/**
 * Reads the filter from the query string (anything unknown takes its default).
 *
 * @example
 * readAuditParams(new URLSearchParams('actor=alice&action=pipeline.pause'))
 */
export function readAuditParams(search: URLSearchParams): AuditParams {
  const action = search.get('action') ?? ''
  const trail = (search.get('after') ?? '').split(',').filter((cursor) => /^\d{1,19}$/.test(cursor))
  return {
    actor: search.get('actor') ?? '',
    action: actions.has(action) ? (action as AuditAction) : '',
    target: search.get('target') ?? '',
    from: search.get('from') ?? '',
    to: search.get('to') ?? '',
    trail,
  }
}

/** The query string for a filter, defaults left out. */
export function writeAuditParams(params: AuditParams): string {
  const search = new URLSearchParams()
  for (const key of ['actor', 'action', 'target', 'from', 'to'] as const) {
    if (params[key]) search.set(key, params[key])
  }
  if (params.trail.length > 0) search.set('after', params.trail.join(','))
  return search.toString()
}

/**
 * The `audit.list` input of the page the URL points at, or null when the filter is invalid. The
 * server's prefetch and the page build it here, so both ask for the same page.
 *
 * @example
 * auditListInput(readAuditParams(new URLSearchParams('actor=alice')))
 */
export function auditListInput(params: AuditParams): ListAuditInput | null {
  const parsed = listAuditInputSchema.safeParse({
    actor: params.actor.trim() || undefined,
    action: params.action || undefined,
    target: params.target.trim() || undefined,
    from: params.from ? localToIso(params.from) : undefined,
    to: params.to ? localToIso(params.to) : undefined,
    limit: auditPageSize,
    cursor: params.trail.at(-1),
  })
  return parsed.success ? parsed.data : null
}
