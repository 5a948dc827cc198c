import type { FailureFilterInput, FailureStatus } from '@sluice/engine/schemas'

/** The failures page's filter as it sits in the URL (so a filtered view can be shared). */
export interface FailureFilterParams {
  pipeline: string
  sqlstate: string
  text: string
  status: FailureStatus | 'any'
  /** `datetime-local` values, in the browser's time zone. */
  from: string
  to: string
  /**
   * The engine's `nextCursor` of every page before this one, oldest step first: empty on the
   * first page. The last one is where this page starts; dropping it goes one page back.
   */
  trail: readonly string[]
}

const cursorPattern = /^\d{1,19}\.\d{1,19}$/

const statuses = new Set<string>(['failed', 'resolved', 'discarded', 'any'])

/**
 * Reads the filter from the URL's query string; anything missing takes its default
 * (failing queries only, first page); a trail of cursors the engine did not hand out reads as
 * the first page.
 *
 * @example
 * readFilterParams(new URLSearchParams('pipeline=orders&sqlstate=23505'))
 */
export function readFilterParams(search: URLSearchParams): FailureFilterParams {
  const status = search.get('status') ?? 'failed'
  const trail = (search.get('after') ?? '').split(',').filter((cursor) => cursor !== '')
  return {
    pipeline: search.get('pipeline') ?? '',
    sqlstate: search.get('sqlstate') ?? '',
    text: search.get('text') ?? '',
    status: (statuses.has(status) ? status : 'failed') as FailureFilterParams['status'],
    from: search.get('from') ?? '',
    to: search.get('to') ?? '',
    trail: trail.every((cursor) => cursorPattern.test(cursor)) ? trail : [],
  }
}

/**
 * The query string for a filter, leaving defaults out so URLs stay short.
 *
 * @example
 * writeFilterParams({ ...readFilterParams(new URLSearchParams()), pipeline: 'orders' }) // 'pipeline=orders'
 */
export function writeFilterParams(params: FailureFilterParams): string {
  const search = new URLSearchParams()
  if (params.pipeline) search.set('pipeline', params.pipeline)
  if (params.sqlstate) search.set('sqlstate', params.sqlstate)
  if (params.text) search.set('text', params.text)
  if (params.status !== 'failed') search.set('status', params.status)
  if (params.from) search.set('from', params.from)
  if (params.to) search.set('to', params.to)
  if (params.trail.length > 0) search.set('after', params.trail.join(','))
  return search.toString()
}

/** A `datetime-local` value as an ISO instant, or the text as typed when it is not a date. */
function localToIso(value: string): string {
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : date.toISOString()
}

/**
 * The filter as the engine's `failureFilterSchema` input (blank fields left out).
 *
 * @example
 * failureFilterSchema.safeParse(toFilterInput(params))
 */
export function toFilterInput(params: FailureFilterParams): FailureFilterInput {
  return {
    pipeline: params.pipeline || undefined,
    sqlstate: params.sqlstate.trim().toUpperCase() || undefined,
    text: params.text.trim() || undefined,
    status: params.status,
    from: params.from ? localToIso(params.from) : undefined,
    to: params.to ? localToIso(params.to) : undefined,
  }
}
