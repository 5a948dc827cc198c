import { randomUUID } from 'node:crypto'

/** Who this engine process is, as the other engines on its database and NATS see it. */
export interface EngineIdentity {
  /** `SLUICE_ENGINE_ID`, else generated per process (a restart is a new member). */
  readonly id: string
  /** Where other engines and clients reach it: `SLUICE_ADVERTISED_URL`, else its listen URL. */
  readonly url: string
  readonly version: string
  readonly startedAt: Date
}

/** A new engine id, for a process started without `SLUICE_ENGINE_ID`: e.g. `engine-2f1c9a4e`. */
export function newEngineId(): string {
  return `engine-${randomUUID().slice(0, 8)}`
}

/**
 * The identity of the engine that is starting, once it listens.
 *
 * @example
 * const identity = engineIdentity({ id: newEngineId(), listenUrl: 'http://127.0.0.1:4000', version: '0.1.0' })
 * identity.url // 'http://127.0.0.1:4000' unless SLUICE_ADVERTISED_URL says otherwise
 */
export function engineIdentity(options: {
  readonly id: string
  readonly advertisedUrl?: string | undefined
  readonly listenUrl: string
  readonly version: string
}): EngineIdentity {
  return {
    id: options.id,
    url: options.advertisedUrl ?? options.listenUrl,
    version: options.version,
    startedAt: new Date(),
  }
}
