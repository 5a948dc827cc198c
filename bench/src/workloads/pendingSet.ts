import type { Pending, Row } from './workload'

/**
 * Collects the results of submitted statements so a workload can wait for all of them. A failure
 * is kept (never an unhandled rejection) and thrown by `wait()`.
 *
 * @example
 * const pending = new PendingSet()
 * pending.add(await runner.submit(sql, params))
 * await pending.wait()
 */
export class PendingSet {
  readonly #all: Promise<Row[]>[] = []
  #failure: Error | undefined

  add(pending: Pending): void {
    this.#all.push(pending.done)
    pending.done.catch((error: unknown) => {
      this.#failure ??= error instanceof Error ? error : new Error(String(error))
    })
  }

  /** Waits for every result; rejects with the first failure. */
  async wait(): Promise<Row[][]> {
    const results = await Promise.allSettled(this.#all)
    if (this.#failure !== undefined) throw this.#failure
    return results.map((r) => (r.status === 'fulfilled' ? r.value : []))
  }
}

/** Fails with a message naming the workload check that did not hold. */
export function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (String(actual) !== String(expected)) {
    throw new Error(
      `verification failed: ${what} is ${String(actual)}, expected ${String(expected)}`,
    )
  }
}
