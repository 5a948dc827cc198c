import type { IncomingHttpHeaders } from 'node:http'

/**
 * The preferences of a `Prefer` header (RFC 7240), by lower-case name: `respond-async` → '',
 * `wait=0` → '0'. Parameters after `;` are ignored; the first of a repeated name counts.
 *
 * @example
 * preferences({ prefer: 'respond-async, wait=0' }).get('wait') // '0'
 */
export function preferences(headers: IncomingHttpHeaders): Map<string, string> {
  const found = new Map<string, string>()
  const raw = headers.prefer
  for (const header of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
    for (const item of header.split(',')) {
      const [preference = ''] = item.split(';')
      const [name = '', ...value] = preference.split('=')
      const key = name.trim().toLowerCase()
      if (key !== '' && !found.has(key))
        found.set(
          key,
          value
            .join('=')
            .trim()
            .replace(/^"(.*)"$/, '$1'),
        )
    }
  }
  return found
}
