import { on, type EventEmitter } from 'node:events'

/**
 * The latest second at once (so a new chart does not start empty), then every newer `tick` the
 * emitter sends, until `signal` aborts. It listens before reading `latest`, so no second is
 * missed in between, and never sends a second twice.
 *
 * @example
 * for await (const tick of liveTicks(ticks, () => lastTick, signal)) send(tick)
 */
export async function* liveTicks<T extends { readonly at: number }>(
  ticks: EventEmitter,
  latest: () => T | undefined,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const emitted = on(ticks, 'tick', { signal }) as AsyncIterable<[T]>
  try {
    let sent = 0
    const first = latest()
    if (first) {
      sent = first.at
      yield first
    }
    for await (const [tick] of emitted) {
      // The latest second may also be in the listener's buffer.
      if (tick.at <= sent) continue
      sent = tick.at
      yield tick
    }
  } catch (error) {
    if (!signal.aborted) throw error
  }
}
