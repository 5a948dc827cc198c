import {
  failureFilterSchema,
  type FailureFilter,
  type FailureFilterInput,
  type FailureStatus,
} from '@sluice/contract'
import { fieldErrors, type FieldErrors } from '~/lib/fieldErrors'
import { localToIso } from '~/lib/urlParams'

/** The failures page's filter as it sits in the URL (so a filtered view can be shared). */
export interface FailureFilterParams {
  pipeline: string
  sqlstate: string
  text: string
  /** Text in the parameters (offered to roles that see them). */
  params: string
  callbackId: string
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

/** The filter with nothing set: failing queries only, first page. */
export const defaultFilterParams: FailureFilterParams = Object.freeze({
  pipeline: '',
  sqlstate: '',
  text: '',
  params: '',
  callbackId: '',
  status: 'failed',
  from: '',
  to: '',
  trail: [],
})

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
  const defaults = defaultFilterParams
  const status = search.get('status') ?? defaults.status
  const trail = (search.get('after') ?? '').split(',').filter((cursor) => cursor !== '')
  return {
    pipeline: search.get('pipeline') ?? defaults.pipeline,
    sqlstate: search.get('sqlstate') ?? defaults.sqlstate,
    text: search.get('text') ?? defaults.text,
    params: search.get('params') ?? defaults.params,
    callbackId: search.get('callbackId') ?? defaults.callbackId,
    status: statuses.has(status) ? (status as FailureFilterParams['status']) : defaults.status,
    from: search.get('from') ?? defaults.from,
    to: search.get('to') ?? defaults.to,
    trail: trail.every((cursor) => cursorPattern.test(cursor)) ? trail : defaults.trail,
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
  if (params.params) search.set('params', params.params)
  if (params.callbackId) search.set('callbackId', params.callbackId)
  if (params.status !== defaultFilterParams.status) search.set('status', params.status)
  if (params.from) search.set('from', params.from)
  if (params.to) search.set('to', params.to)
  if (params.trail.length > 0) search.set('after', params.trail.join(','))
  return search.toString()
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
    params: params.params.trim() || undefined,
    callbackId: params.callbackId.trim() || undefined,
    status: params.status,
    from: params.from ? localToIso(params.from) : undefined,
    to: params.to ? localToIso(params.to) : undefined,
  }
}

/** Failed queries on one page of the list. */
export const failuresPageSize = 25

/** What the failures page asks the engine for: a valid filter, or the filter's errors by field. */
export type FailuresPageRequest =
  | {
      filter: FailureFilter
      /** The `failures.list` input of the page the URL points at. */
      list: FailureFilter & { limit: number; cursor: string | undefined }
      errors: FieldErrors
    }
  | { filter: null; list: null; errors: FieldErrors }

/**
 * The filter checked by the engine's `failureFilterSchema`, and the page's `failures.list`
 * input. The page and the server's prefetch both build it here, so what the server fetched is
 * what the browser reads.
 *
 * @example
 * const { list } = failuresPageRequest(readFilterParams(new URLSearchParams('pipeline=orders')))
 * // { pipeline: 'orders', status: 'failed', limit: 25, cursor: undefined }
 */
export function failuresPageRequest(params: FailureFilterParams): FailuresPageRequest {
  const parsed = failureFilterSchema.safeParse(toFilterInput(params))
  if (!parsed.success) return { filter: null, list: null, errors: fieldErrors(parsed.error.issues) }
  return {
    filter: parsed.data,
    list: { ...parsed.data, limit: failuresPageSize, cursor: params.trail.at(-1) },
    errors: {},
  }
}
