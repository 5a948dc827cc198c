/*
 * Entry point: `tsx src/main.ts [--demo]`. Telemetry starts before `pg` is loaded (the engine and
 * pipeline-core are imported dynamically after it), so database calls are traced from the first.
 */
import { startTelemetry, type Telemetry } from '@sluice/telemetry'
import { authSettingsFromEnv } from './auth/authEnv'
import { EnvError, loadEnv, type EngineEnv } from './env'
import { createLogger } from './logger'
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
  const log = createLogger(env.SLUICE_LOG_LEVEL)
  const telemetry: Telemetry | undefined = env.OTEL_SDK_DISABLED
    ? undefined
    : await startTelemetry({
        serviceName: env.OTEL_SERVICE_NAME ?? 'sluice-engine',
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
  const engine = await createEngine({
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
    logger: log,
    metricsHandler: telemetry?.metricsHandler,
    traceIdLookup: telemetry
      ? (pipeline, batchId) => telemetry.recentBatches.find(pipeline, batchId)?.traceId
      : undefined,
  })
  log.info(
    {
      url: engine.url,
      embeddedDatabase: engine.embeddedDatabase,
      auth: env.SLUICE_API_TOKEN !== undefined,
      demo: env.demo,
    },
    `Sluice engine listening on ${engine.url} (tRPC ${engine.url}/trpc, ingest ${engine.url}/v1/pipelines/:name/queries)`,
  )

  let signalled = false
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log.warn({ signal }, 'second signal: exiting without waiting for the drain')
      process.exit(1)
    }
    signalled = true
    log.info({ signal }, 'signal received')
    void (async () => {
      try {
        await engine.stop()
        await telemetry?.shutdown()
        process.exit(0)
      } catch (error) {
        log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      }
    })()
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `sluice engine failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
