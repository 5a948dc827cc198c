/*
 * Entry point: `tsx src/main.ts [--demo]`. Telemetry starts before `pg` is loaded (the engine and
 * pipeline-core are imported dynamically after it), so database calls are traced from the first.
 */
import { startTelemetry, type Telemetry } from '@sluice/telemetry'
import { authSettingsFromEnv } from './auth/authEnv'
import { newEngineId } from './cluster/engineIdentity'
import { EnvError, loadEnv, type EngineEnv } from './env'
import { createLogger, logFormatFor } from './logger'
import { stopOnSignals } from './stopSignals'
import { parseTargets } from './targets/targetDefinitions'

function readConfig(): { env: EngineEnv; targets: ReturnType<typeof parseTargets> } {
  try {
    const env = loadEnv()
    return { env, targets: parseTargets(env.SLUICE_TARGETS) }
  } catch (error) {
    if (error instanceof EnvError || error instanceof Error) {
      process.stderr.write(`sluice engine: ${error.message}\n`)
      process.exit(2)
    }
    throw error
  }
}

async function main(): Promise<void> {
  const { env, targets } = readConfig()
  const log = createLogger(env.SLUICE_LOG_LEVEL, undefined, logFormatFor(env.SLUICE_LOG_FORMAT))
  // Known before telemetry starts: it labels this engine's Prometheus series (`engine`).
  const engineId = env.SLUICE_ENGINE_ID ?? newEngineId()
  const telemetry: Telemetry | undefined = env.OTEL_SDK_DISABLED
    ? undefined
    : await startTelemetry({
        serviceName: env.OTEL_SERVICE_NAME ?? 'sluice-engine',
        instanceId: engineId,
        // The engine's only spans are Sluice's, which need no context manager; callers are
        // linked from their traceparent header. AsyncLocalStorage would slow every promise.
        contextManager: false,
        logger: {
          warn: (message) => {
            log.warn({ source: 'telemetry' }, message)
          },
        },
      })
  const { createEngine } = await import('./engine')
  const starting = createEngine({
    port: env.SLUICE_PORT,
    host: env.SLUICE_HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.SLUICE_DATA_DIR,
    apiToken: env.SLUICE_API_TOKEN,
    ...authSettingsFromEnv(env),
    targets,
    jaegerUiUrl: env.JAEGER_UI_URL,
    demo: env.demo,
    maxBodyBytes: env.SLUICE_MAX_BODY_BYTES,
    engineId,
    advertisedUrl: env.SLUICE_ADVERTISED_URL,
    natsUrl: env.SLUICE_NATS_URL,
    natsReplicas: env.SLUICE_NATS_REPLICAS,
    logger: log,
    metricsHandler: telemetry?.metricsHandler,
    traceIdLookup: telemetry
      ? (pipeline, batchId) => telemetry.recentBatches.find(pipeline, batchId)?.traceId
      : undefined,
  })
  // Listening from now on: a Ctrl-C while the engine starts stops it once it is up (its
  // embedded PostgreSQL runs in a session of its own and would be left behind otherwise).
  const up: { engine?: Awaited<typeof starting> } = {}
  stopOnSignals({
    drain: {
      stop: async () => {
        await (await starting).stop()
      },
      queued: () => up.engine?.registry.queuedQueries() ?? 0,
      abandon: () => up.engine?.registry.abandonQueued() ?? 0,
    },
    log,
    finish: async () => {
      await telemetry?.shutdown()
    },
  })
  const engine = await starting
  up.engine = engine
  log.info(
    {
      url: engine.url,
      embeddedDatabase: engine.embeddedDatabase,
      auth: env.SLUICE_API_TOKEN !== undefined,
      demo: env.demo,
    },
    `Sluice engine listening on ${engine.url} (tRPC ${engine.url}/trpc, ingest ${engine.url}/v1/pipelines/:name/queries)`,
  )
}

main().catch((error: unknown) => {
  // One line naming the cause and the fix (every start failure's message says both).
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`sluice engine failed to start: ${message.replace(/\s*\n\s*/g, ' ')}\n`)
  process.exit(1)
})
