/**
 * A bounded map that forgets the least recently used entry first. Parsing is the planner's hot
 * path and applications send the same few SQL texts over and over, so a small cache keyed by
 * text answers almost every lookup; the bound keeps ad-hoc SQL from growing memory forever.
 *
 * @example
 * const cache = new LruCache<string, number>(2)
 * cache.set('a', 1); cache.set('b', 2); cache.get('a'); cache.set('c', 3) // evicts 'b'
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>()

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`LruCache capacity must be a positive integer, got ${String(capacity)}`)
  }

  get size(): number {
    return this.entries.size
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined
    const value = this.entries.get(key) as V
    // Re-inserting moves the key to the end of Map's insertion order: most recently used.
    this.entries.delete(key)
    this.entries.set(key, value)
    return value
  }

  set(key: K, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
  }
}
