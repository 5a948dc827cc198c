/*
 * What a page's URL carries, in the forms the pages read it.
 */

/**
 * A page's `searchParams` (as Next.js hands them to a server component) as URLSearchParams.
 *
 * @example
 * const search = toSearchParams(await searchParams)
 */
export function toSearchParams(
  params: Record<string, string | string[] | undefined>,
): URLSearchParams {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    for (const one of [value ?? []].flat()) search.append(key, one)
  }
  return search
}

/**
 * A `datetime-local` value (the browser's time zone) as an ISO instant, or the text as typed when
 * it is not a date (the schema then names it).
 *
 * @example
 * localToIso('2026-11-26T18:00') // '2026-11-26T17:00:00.000Z' in Paris
 */
export function localToIso(value: string): string {
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : date.toISOString()
}
