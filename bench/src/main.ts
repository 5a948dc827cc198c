import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveTestServer } from '@sluice/test-database'
import { parseBenchOptions } from './cli/benchOptions'
import { openNetworkPath } from './measure/networkPath'
import type { WorkloadResult } from './measure/results'
import { runWorkload } from './measure/runWorkload'
import { methodsFor } from './methods/methodsFor'
import { measureFailureSearch, type FailureSearchResult } from './probes/failureSearch'
import { profileMarkdown } from './profile/formatProfile'
import { profileWorkload } from './profile/profileWorkload'
import type { WorkloadProfile } from './profile/profileWorkload'
import { measureQueueMemory } from './probes/queueMemory'
import type { QueueMemoryResult } from './probes/queueMemory'
import { measureTelemetryCost } from './probes/telemetryCost'
import type { TelemetryCostResult } from './probes/telemetryCost'
import { benchCharts } from './report/benchCharts'
import { formatMarkdownTable, formatTable } from './report/formatTable'
import { formatExtras } from './report/formatExtras'
import { checkTargets, formatTargets } from './report/targets'
import { sweepBatchSize } from './sweeps/batchSizeSweep'
import { sweepRoundTrip } from './sweeps/roundTripSweep'
import type { RoundTripSweep } from './sweeps/roundTripSweep'
import type { SweepPoint } from './sweeps/sweepPoint'
import { bulkInsert } from './workloads/bulkInsert'
import { multiGet } from './workloads/multiGet'
import { WORKLOADS } from './workloads/allWorkloads'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const options = parseBenchOptions(process.argv.slice(2), benchDir)
const started = new Date()
const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}
const section = (title: string): void => {
  log(`\n== ${title} (${new Date().toISOString().slice(11, 19)})`)
}

const mode = options.profile ? 'profile' : options.quick ? 'quick' : 'full'
const stamp = started.toISOString().replace(/[:.]/g, '-')
const jsonFile = join(options.outDir, `bench-${mode}-${stamp}.json`)
await mkdir(options.outDir, { recursive: true })

/** Writes what is measured so far (after every section, so an interrupted run keeps its tables). */
async function writeReport(): Promise<void> {
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage: loadavg(),
    node: process.version,
  }
  const targets = checkTargets(results.filter((r) => r.network.oneWayDelayUs === sweepDelayUs))
  const report = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    mode,
    machine,
    options,
    results,
    targets,
    memory,
    telemetry,
    failureSearch,
    sweeps: { batchSize: batchSizePoints, roundTrip },
    profiles,
  }
  await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(
    jsonFile.replace(/\.json$/, '.md'),
    `${[...results.map(formatMarkdownTable), ...(profiles.length > 0 ? [profileMarkdown(profiles)] : [])].join('\n\n')}\n`,
  )
}

const server = process.env.BENCH_DATABASE_URL
  ? {
      url: process.env.BENCH_DATABASE_URL,
      kind: 'external' as const,
      stop: () => Promise.resolve(),
    }
  : await resolveTestServer()

const workloads = WORKLOADS.filter((w) => !options.only || options.only.includes(w.id))
const results: WorkloadResult[] = []
let memory: QueueMemoryResult[] = []
let failureSearch: FailureSearchResult | undefined
const telemetry: TelemetryCostResult[] = []
let batchSizePoints: SweepPoint[] = []
let roundTrip: RoundTripSweep | undefined
const profiles: WorkloadProfile[] = []
const sweepDelayUs = 500
const sluiceSettings = {
  ...(options.sluiceBatchSize !== undefined ? { batchSize: options.sluiceBatchSize } : {}),
  ...(options.sluiceFlushIntervalMs !== undefined
    ? { flushIntervalMs: options.sluiceFlushIntervalMs }
    : {}),
}
try {
  if (options.profile) {
    section(
      `profile: Sluice's main strategy per workload, direct, ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1) ?? '?'}`,
    )
    for (const workload of workloads) {
      log(`-- ${workload.id}`)
      profiles.push(
        await profileWorkload(server.url, {
          workload,
          size: options.sizes[workload.id] ?? 1_000,
          runs: options.runs,
          settings: sluiceSettings,
          outDir: options.outDir,
          stamp,
        }),
      )
      await writeReport()
    }
    console.log(
      `\nµs per query by stage (CPU profile, 100 µs samples):\n\n${profileMarkdown(profiles)}\n`,
    )
    log(`profiles: ${profiles.map((p) => p.profileFile).join(', ')}`)
  }
  for (const delayUs of options.table && !options.profile ? options.delaysUs : []) {
    const path = await openNetworkPath(server.url, delayUs, options.proxy, options.calibrate)
    section(
      `${path.network.label}, ${delayUs} µs each way: SELECT 1 round trip median ${path.network.selectOneRttMs.median.toFixed(3)} ms`,
    )
    try {
      for (const workload of workloads) {
        const size = options.sizes[workload.id] ?? 1_000
        log(`-- ${workload.id} (${size})`)
        const result = await runWorkload(server.url, {
          workload,
          size,
          methods: methodsFor(workload, {
            sluice: true,
            sluiceWithoutOptimizer: true,
            sluiceSettings,
          }),
          runs: options.runs,
          warmups: options.warmups,
          warmupSize: Math.min(size, 1_000),
          naiveSize: Math.min(size, options.naiveSizes[workload.id] ?? size),
          naiveRuns: options.naiveRuns,
          endpoint: path.endpoint,
          network: path.network,
          log,
        })
        results.push(result)
        await writeReport()
        console.log(`\n${formatTable(result)}\n`)
      }
    } finally {
      await path.close()
    }
  }
  const delayed = results.filter((r) => r.network.oneWayDelayUs === sweepDelayUs)
  if (delayed.length > 0)
    console.log(`Targets (at 1 ms round trip):\n${formatTargets(checkTargets(delayed))}\n`)

  if (options.extras && !options.profile) {
    section('memory with queued queries')
    memory = await measureQueueMemory(
      server.url,
      options.quick ? [10_000, 100_000] : [1_000, 10_000, 25_000, 50_000, 100_000],
    )
    section('telemetry off vs on (direct)')
    // Issue 5's sizes, in quick runs too: shorter runs would measure timer noise, not telemetry.
    // Runs vary by ±10% here, so the full run takes many: the median of 120 (multi-get) or 40
    // (bulk insert) runs per arm, over two processes.
    for (const [workload, size, settings] of [
      [
        bulkInsert,
        10_000,
        options.quick ? { rounds: 1, runs: 6, warmups: 3 } : { rounds: 2, runs: 20, warmups: 3 },
      ],
      [
        multiGet,
        1_000,
        options.quick ? { rounds: 1, runs: 20, warmups: 5 } : { rounds: 2, runs: 60, warmups: 5 },
      ],
    ] as const) {
      telemetry.push(await measureTelemetryCost(server.url, workload, size, settings))
    }
    console.log(`${formatExtras(memory, telemetry)}\n`)
    await writeReport()
    section('failures search over stored failures (the engine)')
    failureSearch = await measureFailureSearch(server.url, options.quick ? 200_000 : 1_000_000)
    await writeReport()
  }

  if (options.sweeps && !options.profile) {
    section('sweep: batch size at 1 ms round trip')
    const path = await openNetworkPath(server.url, sweepDelayUs, options.proxy, options.calibrate)
    try {
      batchSizePoints = await sweepBatchSize(
        server.url,
        path,
        [bulkInsert, multiGet],
        options.quick ? 5_000 : 10_000,
        options.quick ? 1 : 3,
        log,
      )
    } finally {
      await path.close()
    }
    section('sweep: round trip 0, 1, 5 ms')
    roundTrip = await sweepRoundTrip(
      server.url,
      [bulkInsert, multiGet],
      options.quick ? 1_000 : 2_000,
      options.quick ? 200 : 300,
      options.quick ? 1 : 3,
      options.proxy,
      options.calibrate,
      log,
    )
  }
} finally {
  await server.stop()
}

await writeReport()
// Charts go to docs/ from full runs only; a quick run keeps its charts beside its JSON.
const chartDir = options.quick || options.profile ? options.outDir : options.docsDir
const load = loadavg()[0]?.toFixed(1) ?? '?'
const subtitle = `${mode} run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores, load ${load}`
const charts = benchCharts(
  { batchSize: batchSizePoints, roundTrip: roundTrip?.points, memory, batchSizeRttMs: 1 },
  subtitle,
)
for (const [name, svg] of Object.entries(charts)) await writeFile(join(chartDir, name), svg)
log(
  `\nresults: ${jsonFile} (+ .md); charts: ${
    Object.keys(charts)
      .map((c) => join(chartDir, c))
      .join(', ') || 'none'
  }`,
)
log(`took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`)
