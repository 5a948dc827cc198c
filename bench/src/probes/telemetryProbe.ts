import pg from 'pg'
import { startTelemetry } from '@sluice/telemetry'
import type { TelemetryArm } from './telemetryCost'

// Probe (run by runProbe in its own process): a Sluice workload run after run, each run under one
// telemetry arm, the arms taking turns. Comparing arms inside one process pairs them: on this
// machine one process's runs can sit 15% above another's (JIT, heap layout), which would drown
// a few percent between processes. Prints one JSON line of run times per arm.
//
// - off: no SDK registered (the API's no-ops: pipeline-core makes no span, no metric).
// - on: startTelemetry as the engine runs it: spans, metrics, OTLP export, no context manager.
// - on-als: the same with startTelemetry's default AsyncLocalStorage context manager, its
//   promise hooks on (as after the first export).
const [workloadId, sizeArg, warmupsArg, runsArg, schemaUrl, sinkUrl] = process.argv.slice(2)
if (!workloadId || !schemaUrl || !sinkUrl) {
  throw new Error(
    'usage: telemetryProbe <workload> <size> <warmups> <runs-per-arm> <url> <otlp-sink-url>',
  )
}
const size = Number(sizeArg)
const warmups = Number(warmupsArg)
const runs = Number(runsArg)

// Started before pg and pipeline-core load, as the telemetry README says.
const telemetry = await startTelemetry({
  serviceName: 'sluice-bench',
  otlpEndpoint: sinkUrl,
  prometheus: {},
  contextManager: false,
  logger: { warn: (message) => process.stderr.write(`${message}\n`) },
})
const { context, metrics, trace } = await import('@opentelemetry/api')
const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks')
const tracerProvider = (
  trace.getTracerProvider() as ReturnType<typeof trace.getTracerProvider> & {
    getDelegate(): ReturnType<typeof trace.getTracerProvider>
  }
).getDelegate()
const meterProvider = metrics.getMeterProvider()
const asyncContext = new AsyncLocalStorageContextManager()

function enter(arm: TelemetryArm): void {
  trace.disable()
  metrics.disable()
  context.disable()
  if (arm === 'off') return
  trace.setGlobalTracerProvider(tracerProvider)
  metrics.setGlobalMeterProvider(meterProvider)
  if (arm === 'on-als') {
    context.setGlobalContextManager(asyncContext.enable())
    // What the SDK's first export does (it runs inside context.with): the hooks go on.
    context.with(context.active(), () => undefined)
  }
}

const { WORKLOADS } = await import('../workloads/allWorkloads')
const { openSluiceRunner, DEFAULT_SLUICE_SETTINGS } = await import('../methods/sluiceRunner')
const { targetFromUrl } = await import('../database/benchTarget')
const { TELEMETRY_ARMS } = await import('./telemetryCost')
const workload = WORKLOADS.find((w) => w.id === workloadId)
if (!workload) throw new Error(`unknown workload ${workloadId}`)
const url = new URL(schemaUrl)
const schema = /search_path=(\S+)/.exec(url.searchParams.get('options') ?? '')?.[1] ?? 'public'
const target = targetFromUrl(schemaUrl, schema)
const pool = new pg.Pool({ connectionString: schemaUrl, max: 1 })
const strategy = workload.sluice.strategies[0] ?? 'best_effort'
const times: Record<TelemetryArm, number[]> = { off: [], on: [], 'on-als': [] }
// CPU time of this process per run: telemetry's cost without PostgreSQL's share of the noise.
const cpu: Record<TelemetryArm, number[]> = { off: [], on: [], 'on-als': [] }
// Warm-ups for every arm first: the JIT takes some runs to settle, more with telemetry's code.
const total = (warmups + runs) * TELEMETRY_ARMS.length
for (let r = 0; r < total; r++) {
  const arm = TELEMETRY_ARMS[r % TELEMETRY_ARMS.length] ?? 'off'
  await workload.reset(pool, size)
  enter(arm)
  const runner = await openSluiceRunner(target, {
    ...DEFAULT_SLUICE_SETTINGS,
    ...workload.sluice.settings,
    strategy,
  })
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  const output = await workload.run(runner, size)
  const ms = performance.now() - start
  const cpuUsed = process.cpuUsage(cpuStart)
  await runner.close()
  enter('off')
  await workload.verify(pool, size, output)
  if (r >= warmups * TELEMETRY_ARMS.length) {
    times[arm].push(ms)
    cpu[arm].push((cpuUsed.user + cpuUsed.system) / 1000)
  }
}
await pool.end()
enter('on')
await telemetry.forceFlush()
await telemetry.shutdown()
console.log(JSON.stringify({ workload: workloadId, size, strategy, times, cpu }))
