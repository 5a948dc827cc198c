import type { FailedQueryView, FailureFilter } from '@sluice/contract'
import { RoleRefusal, seesParams, type Caller } from './caller'

/**
 * A failed query as this caller may see it: without its SQL parameters (`paramsHidden`) for a
 * viewer, unless the engine lets viewers see them.
 *
 * @example
 * page.items.map((item) => visibleFailure(item, caller, viewersSeeParams))
 */
export function visibleFailure(
  view: FailedQueryView,
  caller: Caller,
  viewersSeeParams: boolean,
): FailedQueryView {
  return seesParams(caller, viewersSeeParams) ? view : { ...view, params: [], paramsHidden: true }
}

/** Searching the parameters is refused (FORBIDDEN) to callers who may not see them. */
export function checkParamsSearch(
  filter: FailureFilter,
  caller: Caller,
  viewersSeeParams: boolean,
): void {
  if (
    filter.params !== undefined &&
    filter.params.trim() !== '' &&
    !seesParams(caller, viewersSeeParams)
  ) {
    throw new RoleRefusal('operator', caller, 'searching SQL parameters')
  }
}
