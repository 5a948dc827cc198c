/** How a proxy treats traffic; `TcpProxy.set` changes it while connections are open. */
export interface ProxyFaults {
  /** Added to every chunk a client sends, in ms (fractions count: 0.5 is 500 µs). Order is kept. */
  readonly toServerDelayMs: number
  /** Added to every chunk the server sends back, in ms. Order is kept. */
  readonly toClientDelayMs: number
  /** New connections are reset at once, as if the server were down. Open ones carry on. */
  readonly refuseNew: boolean
  /** Replies from the server are swallowed (lost on the wire); requests still go through. */
  readonly dropReplies: boolean
  /**
   * Once a client sends bytes containing this text (e.g. `COMMIT`), that connection's replies
   * are swallowed from then on: the statement runs, its answer is lost. Setting it back to
   * undefined lets replies through again.
   */
  readonly dropRepliesAfter: string | undefined
}

/** A proxy with no faults: every byte passes at once. */
export const noFaults: ProxyFaults = Object.freeze({
  toServerDelayMs: 0,
  toClientDelayMs: 0,
  refuseNew: false,
  dropReplies: false,
  dropRepliesAfter: undefined,
})

/** `current` with `changes` applied; throws a RangeError naming a delay that is not a finite ms >= 0. */
export function withFaults(current: ProxyFaults, changes: Partial<ProxyFaults>): ProxyFaults {
  const next = { ...current, ...changes }
  for (const name of ['toServerDelayMs', 'toClientDelayMs'] as const) {
    const value = next[name]
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${name} must be a finite number of ms >= 0, got ${String(value)}`)
  }
  return Object.freeze(next)
}
