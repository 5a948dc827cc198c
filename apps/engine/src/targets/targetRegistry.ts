import pg from 'pg'
import { describeConnection } from '../database/connectionInfo'
import { EngineError } from '../errors'
import { breakerSettingsSchema, type TargetCheck, type TargetView } from '@sluice/contract'
import type { Logger } from '../logger'
import { TargetBreaker } from './targetBreaker'
import type { TargetDefinition } from './targetDefinitions'

/** Name of the target that is the engine's own database. */
export const defaultTargetName = 'default'

/**
 * The data sources pipelines may run against, by name. Connection strings stay in here: callers
 * get a URL only through `urlOf` (server side, to build a pipeline), and views without secrets.
 *
 * @example
 * const targets = new TargetRegistry(engineDatabaseUrl, parseTargets(env.SLUICE_TARGETS), log)
 * targets.urlOf('default')
 */
export class TargetRegistry {
  readonly #targets: ReadonlyMap<string, TargetDefinition>
  readonly #breakers = new Map<string, TargetBreaker>()

  constructor(engineDatabaseUrl: string, declared: readonly TargetDefinition[], log: Logger) {
    const targets = new Map<string, TargetDefinition>([
      [
        defaultTargetName,
        {
          name: defaultTargetName,
          url: engineDatabaseUrl,
          description: "the engine's own database",
        },
      ],
    ])
    // A declared `default` replaces the engine's own database as the default target.
    for (const target of declared) targets.set(target.name, target)
    this.#targets = targets
    for (const target of targets.values()) {
      this.#breakers.set(
        target.name,
        new TargetBreaker(
          target.name,
          target.url,
          breakerSettingsSchema.parse(target.breaker ?? {}),
          log,
        ),
      )
    }
  }

  /** The target's circuit breaker, shared by every pipeline on it. */
  breakerOf(name: string): TargetBreaker | undefined {
    return this.#breakers.get(name)
  }

  #breakerView(name: string): TargetView['breaker'] {
    const breaker = this.#breakers.get(name)
    if (!breaker) throw new Error(`target "${name}" has no circuit breaker`)
    return breaker.view()
  }

  /** Stops every breaker's probes. */
  stop(): void {
    for (const breaker of this.#breakers.values()) breaker.stop()
  }

  has(name: string): boolean {
    return this.#targets.has(name)
  }

  names(): string[] {
    return [...this.#targets.keys()]
  }

  /** The connection string (with credentials) for building a pipeline. Never return it to a caller. */
  urlOf(name: string): string {
    const target = this.#targets.get(name)
    if (!target) {
      throw new EngineError(
        'INVALID_INPUT',
        `target: no target named "${name}" (known: ${this.names().join(', ')})`,
      )
    }
    return target.url
  }

  /** Views of every target, with the pipelines using each. */
  list(pipelinesByTarget: ReadonlyMap<string, readonly string[]>): TargetView[] {
    return [...this.#targets.values()].map((target) => {
      const info = describeConnection(target.url)
      return {
        name: target.name,
        description: target.description,
        host: info.host,
        port: info.port,
        database: info.database,
        user: info.user,
        isDefault: target.name === defaultTargetName,
        pipelines: [...(pipelinesByTarget.get(target.name) ?? [])],
        breaker: this.#breakerView(target.name),
      }
    })
  }

  /** Connects once and asks for the server version; the error names no credentials. */
  async check(name: string): Promise<TargetCheck> {
    const url = this.urlOf(name)
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 })
    const started = performance.now()
    try {
      await client.connect()
      const result = await client.query<{ server_version: string }>('SHOW server_version')
      return {
        name,
        reachable: true,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
        serverVersion: result.rows[0]?.server_version ?? null,
        error: null,
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return {
        name,
        reachable: false,
        latencyMs: null,
        serverVersion: null,
        error: message.split(url).join('(target url)'),
      }
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}
