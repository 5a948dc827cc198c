import pg from 'pg'
// Probe (run by runProbe in its own process): a Sluice workload with telemetry off or on. With
// it on, startTelemetry runs before pg and pipeline-core load, as the telemetry README says, and
// exports over OTLP/HTTP to the sink URL given. Prints one JSON line of run times.
const [mode, workloadId, sizeArg, warmupsArg, runsArg, schemaUrl, sinkUrl] = process.argv.slice(2)
if ((mode !== 'on' && mode !== 'off') || !workloadId || !schemaUrl) {
  throw new Error(
    'usage: telemetryProbe <on|off> <workload> <size> <warmups> <runs> <url> [otlp-sink-url]',
  )
}
const size = Number(sizeArg)
const warmups = Number(warmupsArg)
const runs = Number(runsArg)

const telemetry =
  mode === 'on'
    ? await (
        await import('@sluice/telemetry')
      ).startTelemetry({
        serviceName: 'sluice-bench',
        otlpEndpoint: sinkUrl ?? false,
        prometheus: {},
        logger: { warn: (message) => process.stderr.write(`${message}\n`) },
      })
    : undefined

const { WORKLOADS } = await import('../workloads/allWorkloads')
const { openSluiceRunner, DEFAULT_SLUICE_SETTINGS } = await import('../methods/sluiceRunner')
const { targetFromUrl } = await import('../database/benchTarget')
const workload = WORKLOADS.find((w) => w.id === workloadId)
if (!workload) throw new Error(`unknown workload ${workloadId}`)
const url = new URL(schemaUrl)
const schema = /search_path=(\S+)/.exec(url.searchParams.get('options') ?? '')?.[1] ?? 'public'
const target = targetFromUrl(schemaUrl, schema)
const pool = new pg.Pool({ connectionString: schemaUrl, max: 1 })
const strategy = workload.sluice.strategies[0] ?? 'best_effort'
const times: number[] = []
// Several warm-up runs: with telemetry on there is more code for the JIT to settle, and the
// first runs of a fresh process measure that, not the steady state.
for (let r = 0; r < warmups + runs; r++) {
  await workload.reset(pool, size)
  const runner = await openSluiceRunner(target, {
    ...DEFAULT_SLUICE_SETTINGS,
    ...workload.sluice.settings,
    strategy,
  })
  const start = performance.now()
  const output = await workload.run(runner, size)
  const ms = performance.now() - start
  await runner.close()
  await workload.verify(pool, size, output)
  if (r >= warmups) times.push(ms)
}
await pool.end()
await telemetry?.forceFlush()
await telemetry?.shutdown()
console.log(JSON.stringify({ mode, workload: workloadId, size, strategy, times }))
