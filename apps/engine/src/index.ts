/**
 * The Sluice engine as a library: start one in-process (tests, embedding), or run `src/main.ts`.
 *
 * @example
 * import { createEngine } from '@sluice/engine'
 * const engine = await createEngine({ port: 0, databaseUrl: process.env.DATABASE_URL })
 * console.log(engine.url)
 * await engine.stop()
 */
export { createEngine } from './engine'
export type { Engine, EngineOptions } from './engine'
export { loadEnv, EnvError } from './env'
export type { EngineEnv } from './env'
export { EngineError } from './errors'
export type { EngineErrorCode } from '@sluice/contract'
export { parseTargets } from './targets/targetDefinitions'
export type { TargetDefinition } from './targets/targetDefinitions'
export { defaultDataDir } from './database/embeddedDatabase'
export type { AppRouter } from './router'
