import type pg from 'pg'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import type { Health } from '@sluice/contract'
import type { Shutdown } from '../shutdown'
import type { HealthService } from '../trpc/services'

/** Facts about the engine that do not change while it runs. */
export interface HealthFacts {
  readonly version: string
  readonly embeddedDatabase: boolean
  readonly authRequired: boolean
  readonly jaegerUiUrl: string
  readonly startedAt: number
}

/**
 * Liveness and readiness: can the engine reach its own database, how many pipelines run, is it
 * shutting down.
 *
 * @example
 * const health = await new HealthCheck(pool, registry, facts, new Shutdown()).get()
 */
export class HealthCheck implements HealthService {
  readonly #pool: pg.Pool
  readonly #registry: PipelineRegistry
  readonly #facts: HealthFacts
  readonly #shutdown: Shutdown

  constructor(pool: pg.Pool, registry: PipelineRegistry, facts: HealthFacts, shutdown: Shutdown) {
    this.#pool = pool
    this.#registry = registry
    this.#facts = facts
    this.#shutdown = shutdown
  }

  async get(): Promise<Health> {
    const started = performance.now()
    let reachable = true
    try {
      await Promise.race([
        this.#pool.query('SELECT 1'),
        new Promise((_, reject) =>
          setTimeout(() => {
            reject(new Error('timeout'))
          }, 2_000).unref(),
        ),
      ])
    } catch {
      reachable = false
    }
    const states = this.#registry.all().map((managed) => managed.status().state)
    const count = (state: string) => states.filter((item) => item === state).length
    return {
      status: this.#shutdown.begun ? 'shutting_down' : reachable ? 'ok' : 'degraded',
      version: this.#facts.version,
      uptimeSeconds: Math.round((Date.now() - this.#facts.startedAt) / 1000),
      database: {
        reachable,
        embedded: this.#facts.embeddedDatabase,
        latencyMs: reachable ? Math.round((performance.now() - started) * 10) / 10 : null,
      },
      pipelines: {
        total: states.length,
        running: count('running'),
        paused: count('paused'),
        halted: count('halted'),
      },
      authRequired: this.#facts.authRequired,
      jaegerUiUrl: this.#facts.jaegerUiUrl,
    }
  }
}
