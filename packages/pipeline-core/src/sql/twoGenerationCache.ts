/**
 * A bounded map for the hot path: a hit costs one Map lookup (no reordering). Entries live in a
 * young and an old generation; when the young one fills up it becomes the old one and the old
 * one is dropped, so an entry not used for a whole generation is forgotten, and one that is
 * used is carried into the young generation on its first hit. Holds at most `2 × capacity`
 * entries. Applications send the same few SQL texts over and over, so nearly every lookup hits
 * the young generation; the bound keeps ad-hoc SQL from growing memory forever.
 *
 * @example
 * const cache = new TwoGenerationCache<string, number>(2)
 * cache.set('a', 1); cache.set('b', 2) // 'a' and 'b' move to the old generation
 * cache.get('a') // 1, carried back into the young one
 */
export class TwoGenerationCache<K, V> {
  private young = new Map<K, V>()
  private old = new Map<K, V>()

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(
        `TwoGenerationCache capacity must be a positive integer, got ${String(capacity)}`,
      )
  }

  get(key: K): V | undefined {
    const value = this.young.get(key)
    if (value !== undefined || this.young.has(key)) return value
    if (!this.old.has(key)) return undefined
    const kept = this.old.get(key) as V
    this.set(key, kept)
    return kept
  }

  set(key: K, value: V): void {
    this.young.set(key, value)
    if (this.young.size >= this.capacity) {
      this.old = this.young
      this.young = new Map()
    }
  }
}
