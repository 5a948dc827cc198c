import { EngineError } from './errors'

/**
 * Whether the engine is shutting down: one flag, and the one refusal new work gets once it is
 * (503 with Retry-After, so load balancers and clients move on while accepted work drains).
 *
 * @example
 * const shutdown = new Shutdown()
 * shutdown.refuseNewWork() // passes
 * shutdown.begin()
 * shutdown.refuseNewWork() // throws EngineError UNAVAILABLE
 */
export class Shutdown {
  #begun = false

  get begun(): boolean {
    return this.#begun
  }

  begin(): void {
    this.#begun = true
  }

  /** Throws EngineError UNAVAILABLE once shutdown has begun. */
  refuseNewWork(): void {
    if (this.#begun)
      throw new EngineError('UNAVAILABLE', 'the engine is shutting down', { retryAfterSeconds: 5 })
  }
}
