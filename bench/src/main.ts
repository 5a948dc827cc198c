import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { resolveTestServer } from '@sluice/test-database'
import { parseBenchOptions } from './cli/benchOptions'
import type { WorkloadResult } from './measure/results'
import { openNetworkPath } from './measure/networkPath'
import { runWorkload } from './measure/runWorkload'
import { sluiceAvailable } from './methods/loadSluice'
import { methodsFor } from './methods/methodsFor'
import { formatTable } from './report/formatTable'
import { WORKLOADS } from './workloads/allWorkloads'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const options = parseBenchOptions(process.argv.slice(2), benchDir)
const started = new Date()
const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

const server = process.env.BENCH_DATABASE_URL
  ? { url: process.env.BENCH_DATABASE_URL, kind: 'external' as const, stop: () => Promise.resolve() }
  : await resolveTestServer()
const withSluice = await sluiceAvailable()
if (!withSluice) log('! @sluice/pipeline-core does not export QueryPipeline: Sluice methods are skipped')

const workloads = WORKLOADS.filter((w) => !options.only || options.only.includes(w.id))
const results: WorkloadResult[] = []
try {
  for (const delayUs of options.delaysUs) {
    const path = await openNetworkPath(server.url, delayUs, options.proxy)
    log(`== ${path.network.label}, ${delayUs} µs each way: SELECT 1 round trip median ${path.network.selectOneRttMs.median.toFixed(3)} ms`)
    try {
      for (const workload of workloads) {
        const size = options.sizes[workload.id] ?? 1_000
        log(`-- ${workload.id} (${size})`)
        const result = await runWorkload(server.url, {
          workload,
          size,
          methods: methodsFor(workload, { sluice: withSluice, sluiceWithoutOptimizer: true }),
          runs: options.runs,
          warmups: options.warmups,
          warmupSize: Math.min(size, 1_000),
          // Direct, the naive form is quick enough to run in full.
          naiveSize: delayUs === 0 ? size : Math.min(size, options.naiveSizes[workload.id] ?? size),
          naiveRuns: options.naiveRuns,
          endpoint: path.endpoint,
          network: path.network,
          log,
        })
        results.push(result)
        console.log(`\n${formatTable(result)}\n`)
      }
    } finally {
      await path.close()
    }
  }
} finally {
  await server.stop()
}

await mkdir(options.outDir, { recursive: true })
const file = `${options.outDir}/bench-${options.quick ? 'quick' : 'full'}-${started.toISOString().replace(/[:.]/g, '-')}.json`
await writeFile(
  file,
  JSON.stringify(
    {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      mode: options.quick ? 'quick' : 'full',
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage: loadavg(), node: process.version },
      options,
      sluice: withSluice,
      results,
    },
    null,
    2,
  ),
)
log(`results written to ${file}`)
