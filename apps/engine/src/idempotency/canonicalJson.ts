import { createHash } from 'node:crypto'

/** JSON with every object's keys sorted, so equal values give equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`
  }
  // JSON.stringify answers undefined for what JSON cannot hold (undefined, functions).
  const text = JSON.stringify(value) as string | undefined
  return text ?? 'null'
}

/** The hash a keyed request's body is compared by: sha256 of its canonical JSON. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex')
}
