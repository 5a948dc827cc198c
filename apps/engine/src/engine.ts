import type { AddressInfo } from 'node:net'
import type { NatsConnection } from '@nats-io/transport-node'
import pg from 'pg'
import { ClusterMetrics } from './cluster/clusterMetrics'
import { ConfigSync } from './cluster/configSync'
import { engineIdentity, newEngineId, type EngineIdentity } from './cluster/engineIdentity'
import { MemberLoadGauge } from './cluster/memberLoad'
import { Membership, readClusterId } from './cluster/membership'
import {
  NatsMetricsExchange,
  PostgresMetricsExchange,
  type MetricsExchange,
} from './cluster/metricsExchange'
import {
  startEmbeddedDatabase,
  defaultDataDir,
  type EmbeddedDatabase,
} from './database/embeddedDatabase'
import { migrate } from './database/migrations'
import { connectNats } from './nats/natsConnection'
import { createAccess } from './auth/access'
import { DEFAULT_TOKEN_NAME, type ApiToken } from './auth/apiTokens'
import type { AuthSettings } from './auth/authEnv'
import { ensureSearchIndexes } from './stores/failureSearchIndexes'
import { startDemoLoad, type DemoLoad } from './demo/demoLoad'
import { EngineError } from './errors'
import { createHttpServer, type MetricsRequestHandler } from './http/httpServer'
import { listenFailure } from './http/listenFailure'
import { createLogger, type Logger } from './logger'
import { MetricsRecorder } from './metrics/metricsRecorder'
import { PipelineRegistry } from './pipelines/pipelineRegistry'
import { BatchHistory, type TraceIdLookup } from './services/batchHistory'
import { FailureQueries } from './services/failureService'
import { HealthCheck } from './services/healthCheck'
import { FailedQueryStore } from './stores/failedQueryStore'
import { FailureWriter } from './stores/failureWriter'
import { PipelineConfigStore } from './stores/pipelineConfigStore'
import type { TargetDefinition } from './targets/targetDefinitions'
import { TargetRegistry } from './targets/targetRegistry'
import { Shutdown } from './shutdown'
import { InsightsCollector } from './insights/insightsCollector'
import { StatementInsights } from './insights/insightsService'
import { InsightsStore, type InsightsRetention } from './insights/insightsStore'
import { FailureGroupStore } from './stores/failureGroupStore'
import {
  DEFAULT_IDEMPOTENCY_LEASE_SECONDS,
  DEFAULT_IDEMPOTENCY_RETENTION_HOURS,
  DEFAULT_LEDGER_SCHEMA,
} from '@sluice/contract'
import { IdempotentIngest, type IdempotencySettings } from './idempotency/idempotentIngest'
import { IdempotentRequestStore } from './idempotency/idempotentRequestStore'
import { TargetLedgers } from './idempotency/targetLedgers'
import type { EngineServices } from './trpc/services'

/** Options of `createEngine`; everything has a default. */
export interface EngineOptions {
  /** Default 4000; 0 picks a free port (see `Engine.port`). */
  readonly port?: number
  /** Default 127.0.0.1. Anything else needs `apiToken`. */
  readonly host?: string
  /** The engine's own database. Unset: an embedded PostgreSQL in `dataDir`. */
  readonly databaseUrl?: string | undefined
  /** Data folder of the embedded PostgreSQL (see `defaultDataDir`). */
  readonly dataDir?: string | undefined
  /** Bearer token required on ingest, tRPC and /metrics (audited as `default`, role admin). */
  readonly apiToken?: string | undefined
  /** More bearer tokens, each audited under its name, with its role (`SLUICE_API_TOKENS`). */
  readonly apiTokens?: readonly ApiToken[]
  /** Sign-in (OpenID Connect, session lifetime), parameter visibility, audit retention. */
  readonly auth?: AuthSettings
  /** Named data sources besides `default` (the engine's own database). */
  readonly targets?: readonly TargetDefinition[]
  readonly jaegerUiUrl?: string
  /** Adds the `demo` pipeline and its synthetic load. */
  readonly demo?: boolean
  /** Retention of idempotency keys' answers and the ledger's schema (`SLUICE_LEDGER_SCHEMA`). */
  readonly idempotency?: Partial<IdempotencySettings> & { readonly ledgerSchema?: string }
  /** Largest accepted request body. Default 4 MiB. */
  readonly maxBodyBytes?: number
  /** Statement insights: shapes kept per pipeline, how long minutes and hours are kept. */
  readonly insights?: InsightsRetention
  readonly logger?: Logger
  /** `GET /metrics` (Prometheus text), from @sluice/telemetry's `startTelemetry`. */
  readonly metricsHandler?: MetricsRequestHandler | undefined
  /** Finds a batch's trace id in the telemetry span store when the batch event lacks one. */
  readonly traceIdLookup?: TraceIdLookup | undefined
  readonly version?: string
  /** `SLUICE_ENGINE_ID`; default: generated per process. */
  readonly engineId?: string | undefined
  /** `SLUICE_ADVERTISED_URL`; default: the URL the engine listens on. */
  readonly advertisedUrl?: string | undefined
  /** `SLUICE_NATS_URL` (comma-separated servers); unset: no NATS. */
  readonly natsUrl?: string | undefined
  /** `SLUICE_NATS_REPLICAS`: replicas of the JetStream streams the engine creates. Default 1. */
  readonly natsReplicas?: number
}

/** A running engine. */
export interface Engine {
  /** e.g. `http://127.0.0.1:4000` */
  readonly url: string
  readonly port: number
  readonly host: string
  readonly embeddedDatabase: boolean
  readonly registry: PipelineRegistry
  /** Runs keyed requests (sync HTTP ingest and anything else that ingests with a key). */
  readonly idempotency: IdempotentIngest
  readonly identity: EngineIdentity
  /** Graceful stop: refuse new work (503), drain every pipeline, close the server and database. */
  stop(): Promise<void>
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * Starts an engine: database (embedded unless `databaseUrl`), migrations, pipelines from the store,
 * metrics, the HTTP server (ingest, tRPC, health, metrics) and, on request, the demo load.
 *
 * @example
 * const engine = await createEngine({ port: 0, databaseUrl: 'postgres://postgres@127.0.0.1:5432/test' })
 * await fetch(`${engine.url}/healthz`)
 * await engine.stop()
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const log = options.logger ?? createLogger('info')
  const host = options.host ?? '127.0.0.1'
  const tokens: ApiToken[] = [
    ...(options.apiToken === undefined
      ? []
      : [{ name: DEFAULT_TOKEN_NAME, token: options.apiToken, role: 'admin' as const }]),
    ...(options.apiTokens ?? []),
  ]
  if (!loopbackHosts.has(host) && tokens.length === 0) {
    throw new EngineError(
      'INVALID_INPUT',
      `refusing to listen on ${host} without SLUICE_API_TOKEN: set a token, or keep SLUICE_HOST=127.0.0.1`,
    )
  }
  const jaegerUiUrl = options.jaegerUiUrl ?? 'http://localhost:16686'
  const embedded: EmbeddedDatabase | undefined =
    options.databaseUrl === undefined
      ? await startEmbeddedDatabase({ dataDir: options.dataDir ?? defaultDataDir(), log })
      : undefined
  const databaseUrl = options.databaseUrl ?? embedded?.url ?? ''
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 6,
    // One connection kept open from start-up (idle ones beyond it close after 10 s): a server
    // full of pipelines' connections (53300) cannot keep the engine from its own database, nor
    // make /healthz report it unreachable while every pipeline works.
    min: 1,
    application_name: 'sluice-engine',
  })
  pool.on('error', (error) => {
    log.warn({ err: error }, 'idle connection to the engine database failed')
  })
  try {
    await migrate(pool, log)
    await ensureSearchIndexes(pool, log)
  } catch (error) {
    await pool.end().catch(() => undefined)
    await embedded?.stop()
    throw error
  }

  /*
   * Failed queries are recorded through a pool of their own that keeps its connection open, so a
   * database out of connections (53300) cannot stop a failure from being recorded before its
   * answer goes out; the writer retries transient errors on top.
   */
  const recordPool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    min: 1,
    idleTimeoutMillis: 60_000,
    application_name: 'sluice-engine-failures',
  })
  recordPool.on('error', (error) => {
    log.warn({ err: error }, 'idle connection of the failure store failed')
  })
  // Open the kept connection now, while the database has room (a failure here only logs: it retries later).
  await recordPool.query('SELECT 1').catch((error: unknown) => {
    log.warn({ err: error }, 'the failure store could not connect yet')
  })

  const engineId = options.engineId ?? newEngineId()
  let nats: NatsConnection | undefined
  if (options.natsUrl !== undefined) {
    try {
      nats = await connectNats(options.natsUrl, engineId, log)
    } catch (error) {
      await recordPool.end()
      await pool.end()
      await embedded?.stop()
      throw error
    }
  }

  const configs = new PipelineConfigStore(pool)
  const failures = new FailedQueryStore(pool)
  const failureWriter = new FailureWriter(new FailedQueryStore(recordPool))
  const targets = new TargetRegistry(databaseUrl, options.targets ?? [], log)
  const insightsStore = new InsightsStore(
    pool,
    options.insights ?? { topN: 100, minutesForHours: 24, hoursForDays: 7 },
  )
  const insights = new StatementInsights(
    new InsightsCollector(options.insights?.topN ?? 100),
    insightsStore,
    log,
  )
  const registry = new PipelineRegistry({
    configs,
    failures,
    failureWriter,
    targets,
    log,
    onResults: (pipeline, sqls, results) => {
      insights.record(pipeline, sqls, results)
    },
  })
  // Loads every stored pipeline, then keeps them as the store says, whichever engine changed it.
  const configSync = new ConfigSync(databaseUrl, registry, log)
  let exchange: MetricsExchange
  try {
    await configSync.start()
    exchange =
      nats === undefined
        ? new PostgresMetricsExchange(pool, engineId, log)
        : new NatsMetricsExchange(nats, await readClusterId(pool), engineId, log)
  } catch (error) {
    await configSync.stop()
    await registry.close()
    targets.stop()
    await nats?.close()
    await recordPool.end()
    await pool.end()
    await embedded?.stop()
    throw error
  }
  const ledgers = new TargetLedgers(options.idempotency?.ledgerSchema ?? DEFAULT_LEDGER_SCHEMA, log)
  const idempotency = new IdempotentIngest(
    { registry, store: new IdempotentRequestStore(pool), ledgers, log },
    {
      retentionHours: options.idempotency?.retentionHours ?? DEFAULT_IDEMPOTENCY_RETENTION_HOURS,
      leaseMs: options.idempotency?.leaseMs ?? DEFAULT_IDEMPOTENCY_LEASE_SECONDS * 1000,
    },
  )
  idempotency.start()

  const recorder = new MetricsRecorder(() =>
    registry.all().map((managed) => {
      const status = managed.status()
      return {
        name: managed.name,
        configuredBatchSize: managed.config.batchSize,
        queueDepth: status.queueSize,
        effectiveBatchSize: status.effectiveBatchSize,
      }
    }),
  )
  registry.onBatch((batch) => {
    recorder.recordBatch(batch)
  })
  recorder.start()
  const clusterMetrics = new ClusterMetrics(engineId, recorder, exchange, log)
  await clusterMetrics.start()
  const loadGauge = new MemberLoadGauge(() => registry.all())
  // Joined once the engine listens (its URL is known then).
  const joined: { membership?: Membership } = {}
  insights.start()

  const shutdown = new Shutdown()
  const failureQueries = new FailureQueries(failures, registry, log, {
    store: new FailureGroupStore(pool),
    sparklines: (since) => insights.failureSparklines(since),
  })
  const access = createAccess({
    pool,
    tokens,
    settings: options.auth ?? {},
    loopbackListen: loopbackHosts.has(host),
    pipelines: registry,
    failures: failureQueries,
    log,
  })
  // Read now so no request waits for it; should it fail, the first request reads it.
  await access.ready().catch((error: unknown) => {
    log.warn({ err: error }, 'could not count the users yet')
  })
  const services: EngineServices = {
    pipelines: registry,
    failures: failureQueries,
    metrics: recorder,
    batches: new BatchHistory(registry, jaegerUiUrl, options.traceIdLookup),
    targets: {
      list: () => targets.list(registry.pipelinesByTarget()),
      check: (name) => {
        if (!targets.has(name))
          return Promise.reject(new EngineError('NOT_FOUND', `no target named "${name}"`))
        return targets.check(name)
      },
    },
    health: new HealthCheck(
      pool,
      registry,
      {
        version: options.version ?? '0.1.0',
        embeddedDatabase: embedded !== undefined,
        authRequired: tokens.length > 0,
        jaegerUiUrl,
        startedAt: Date.now(),
      },
      shutdown,
    ),
    access: access.services,
    cluster: {
      members: () => {
        const membership = joined.membership
        if (!membership)
          return Promise.reject(
            new EngineError('UNAVAILABLE', 'the engine has not joined its cluster yet', {
              retryAfterSeconds: 1,
            }),
          )
        return membership.view()
      },
      metricsHistory: (pipeline, windowSeconds) => clusterMetrics.history(pipeline, windowSeconds),
      metricsLive: (pipelines, signal) => clusterMetrics.live(pipelines, signal),
    },
    insights,
  }

  const server = createHttpServer({
    services,
    registry,
    idempotency,
    callers: access.callers,
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    shutdown,
    log,
    metricsHandler: options.metricsHandler,
  })
  // Many small ingest requests reuse connections; keep them open a little longer than clients do.
  server.keepAliveTimeout = 65_000
  // The one teardown order for a failed start and for stop(): nothing new reaches the pipelines,
  // they drain, then what records their outcomes stops; the databases go last.
  const stopPipelines = async (): Promise<void> => {
    await configSync.stop()
    await registry.close()
    idempotency.stop()
    await ledgers.close()
    await clusterMetrics.stop()
    recorder.stop()
    targets.stop()
    await insights.stop()
  }
  const closeDatabases = async (): Promise<void> => {
    await recordPool.end()
    await pool.end()
    await embedded?.stop()
  }
  let demo: DemoLoad | undefined
  try {
    const listenPort = options.port ?? 4000
    await new Promise<void>((resolve, reject) => {
      const refused = (error: NodeJS.ErrnoException): void => {
        reject(listenFailure(error, host, listenPort))
      }
      server.once('error', refused)
      server.listen(listenPort, host, () => {
        server.off('error', refused)
        resolve()
      })
    })
    if (options.demo) demo = await startDemoLoad(registry, pool, log)
  } catch (error) {
    // e.g. the port is taken: leave nothing running behind (pools, the embedded server).
    server.close()
    access.stop()
    await stopPipelines()
    await nats?.close()
    await closeDatabases()
    throw error
  }
  const port = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  const identity = engineIdentity({
    id: engineId,
    advertisedUrl: options.advertisedUrl,
    listenUrl: url,
    version: options.version ?? '0.1.0',
  })
  const membership = new Membership({
    pool,
    identity,
    load: () => loadGauge.read(),
    log,
    metricsTransport: exchange.transport,
  })
  await membership.join()
  joined.membership = membership

  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    // Keep listening while draining: new work gets 503 + Retry-After (load balancers move on),
    // accepted work gets its answer.
    shutdown.begin()
    log.info('shutting down: refusing new work (503), draining pipelines')
    await demo?.stop()
    access.stop()
    // Out of the member list at once; changes made elsewhere during the drain no longer apply here.
    await membership.leave()
    await stopPipelines()
    const closed = new Promise<void>((resolve) =>
      server.close(() => {
        resolve()
      }),
    )
    server.closeIdleConnections()
    // Answers are out; whatever is still open after a moment (a slow client) is cut.
    const grace = setTimeout(() => {
      server.closeAllConnections()
    }, 2_000)
    await closed
    clearTimeout(grace)
    await nats?.drain()
    await closeDatabases()
    log.info('engine stopped')
  }

  return {
    url,
    port,
    host,
    embeddedDatabase: embedded !== undefined,
    registry,
    idempotency,
    identity,
    stop: () => (stopping ??= stop()),
  }
}
