import { writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { createBenchSchema } from '../database/benchSchema'
import { sluiceMethod } from '../methods/methodsFor'
import { DEFAULT_SLUICE_SETTINGS } from '../methods/sluiceRunner'
import type { SluiceSettings } from '../methods/sluiceRunner'
import type { Workload } from '../workloads/workload'
import { STAGES, stageTimes } from './stages'
import type { CpuProfile, Stage } from './stages'

/** One Sluice workload's profile: CPU per query by stage, over its profiled runs. */
export interface WorkloadProfile {
  readonly workload: string
  readonly strategy: string
  readonly size: number
  readonly runs: number
  /** Median wall time of a profiled run (the profiler slows it a little), ms. */
  readonly medianMs: number
  /** Process CPU time (user + system) per query, µs, over the profiled runs. */
  readonly cpuUsPerQuery: number
  /**
   * CPU per query by stage, µs: the process's CPU time shared out by the profile's busy samples
   * (samples measure wall time, which on a loaded machine includes time the process waited for
   * a core; their proportions do not).
   */
  readonly usPerQuery: Readonly<Record<Stage, number>>
  /** The `.cpuprofile` of the last run (open it in Chrome DevTools or speedscope). */
  readonly profileFile: string
}

/** How a workload is profiled. */
export interface ProfileRequest {
  readonly workload: Workload
  readonly size: number
  /** Profiled runs; small workloads get more, so every profile holds about 20,000 queries. */
  readonly runs: number
  readonly settings?: Partial<SluiceSettings>
  readonly outDir: string
  readonly stamp: string
}

/**
 * Runs a workload through Sluice's main strategy straight to the server (loopback: the cost
 * measured is CPU, not network), with V8's sampling profiler on during each timed run (100 µs
 * interval). Each run starts from reset tables and is verified; the warm-up run is not profiled.
 *
 * @example
 * const profile = await profileWorkload(serverUrl, { workload: bulkInsert, size: 10_000, runs: 3, outDir, stamp })
 * profile.usPerQuery.planning // µs per query spent planning
 */
export async function profileWorkload(
  serverUrl: string,
  request: ProfileRequest,
): Promise<WorkloadProfile> {
  const { workload, size } = request
  const runs = Math.max(request.runs, Math.ceil(20_000 / size))
  const strategy = workload.sluice.strategies[0] ?? 'best_effort'
  const settings: SluiceSettings = {
    ...DEFAULT_SLUICE_SETTINGS,
    ...workload.sluice.settings,
    ...request.settings,
    strategy,
  }
  const method = sluiceMethod(workload, settings)
  const schema = await createBenchSchema(serverUrl, `profile_${workload.id.replace(/-/g, '_')}`)
  const session = new Session()
  session.connect()
  const totals = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>
  const wall: number[] = []
  let cpuUs = 0
  let last: CpuProfile | undefined
  try {
    await workload.setup(schema.pool, size)
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 100 })
    for (let run = -1; run < runs; run++) {
      const rows = run < 0 ? Math.min(size, 1_000) : size
      await workload.reset(schema.pool, rows)
      const methodSession = await method.open(schema.target)
      let output
      try {
        if (run >= 0) await session.post('Profiler.start')
        const cpuBefore = process.cpuUsage()
        const start = process.hrtime.bigint()
        output = await methodSession.run(rows)
        const elapsed = Number(process.hrtime.bigint() - start) / 1e6
        const cpu = process.cpuUsage(cpuBefore)
        if (run >= 0) {
          const { profile } = await session.post('Profiler.stop')
          last = profile as unknown as CpuProfile
          const byStage = stageTimes(last)
          for (const stage of STAGES) totals[stage] += byStage[stage]
          wall.push(elapsed)
          cpuUs += cpu.user + cpu.system
        }
      } finally {
        await methodSession.close()
      }
      await workload.verify(schema.pool, rows, output)
    }
  } finally {
    await session.post('Profiler.disable').catch(() => undefined)
    session.disconnect()
    await schema.drop()
  }
  const profileFile = join(
    request.outDir,
    `profile-${workload.id}-${strategy}-${request.stamp}.cpuprofile`,
  )
  await writeFile(profileFile, JSON.stringify(last))
  const queries = size * runs
  const busy = STAGES.reduce((sum, s) => sum + totals[s], 0)
  const sorted = [...wall].sort((a, b) => a - b)
  return {
    workload: workload.id,
    strategy,
    size,
    runs,
    medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
    cpuUsPerQuery: cpuUs / queries,
    usPerQuery: Object.fromEntries(
      STAGES.map((s) => [s, busy > 0 ? (cpuUs / queries) * (totals[s] / busy) : 0]),
    ) as Record<Stage, number>,
    profileFile,
  }
}
