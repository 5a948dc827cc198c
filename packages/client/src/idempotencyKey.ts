/**
 * A new idempotency key: a random (version 4) UUID. `crypto.randomUUID` where it exists (Node 20,
 * browsers on HTTPS or localhost); elsewhere (a page served over plain HTTP has no
 * `randomUUID`) the same UUID built from `crypto.getRandomValues`, which every browser has.
 *
 * @example
 * newIdempotencyKey() // '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function newIdempotencyKey(): string {
  // Typed as the DOM declares it, though an insecure page lacks it.
  const { randomUUID } = globalThis.crypto as Partial<Pick<Crypto, 'randomUUID'>>
  if (randomUUID !== undefined) return randomUUID.call(globalThis.crypto)
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
