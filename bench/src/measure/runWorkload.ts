import { createBenchSchema } from '../database/benchSchema'
import { throughEndpoint } from '../database/benchTarget'
import type { BenchMethod } from '../methods/benchMethod'
import type { Workload } from '../workloads/workload'
import type { MethodResult, NetworkResult, WorkloadResult } from './results'
import { summarize } from './stats'

/** How one workload is measured. */
export interface WorkloadPlan {
  readonly workload: Workload
  readonly size: number
  readonly methods: readonly BenchMethod[]
  /** Timed runs per method (median taken). */
  readonly runs: number
  /** Untimed runs per method first, at `warmupSize`. */
  readonly warmups: number
  readonly warmupSize: number
  /**
   * Methods that commit every row on its own (naive, postgres.js, Sluice with the optimizer off:
   * about one WAL flush per row) run at most this many rows, scaled linearly to `size` and
   * labelled so, and at most `naiveRuns` times.
   */
  readonly naiveSize: number
  readonly naiveRuns: number
  /** Where methods connect (the delay proxy, or the server itself). */
  readonly endpoint: { readonly host: string; readonly port: number }
  readonly network: NetworkResult
  readonly log?: (line: string) => void
}

/** The slow methods: one commit (WAL flush) per row, so their time grows linearly with rows. */
export function commitsPerRow(method: BenchMethod): boolean {
  return (
    method.kind === 'naive' || method.kind === 'postgres.js' || method.id.includes('unoptimized')
  )
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Runs every method of a workload in its own fresh schema: warm-ups, then timed runs with the
 * methods interleaved (so drifting machine load hits all of them alike). Each run starts from a
 * reset table and is verified afterwards; a method whose result is wrong gets an error, no time.
 *
 * @example
 * const result = await runWorkload(serverUrl, plan)
 */
export async function runWorkload(serverUrl: string, plan: WorkloadPlan): Promise<WorkloadResult> {
  const { workload } = plan
  const schema = await createBenchSchema(serverUrl, workload.id.replace(/-/g, '_'))
  const target = throughEndpoint(schema.target, plan.endpoint.host, plan.endpoint.port)
  const samples = new Map<string, number[]>()
  const cpuSamples = new Map<string, number[]>()
  const errors = new Map<string, string>()
  const sizeFor = (method: BenchMethod): number =>
    commitsPerRow(method) ? Math.min(plan.size, plan.naiveSize) : plan.size

  /** A run's wall time, ms, and this process's CPU time per unit (query, row, transfer), µs. */
  async function once(
    method: BenchMethod,
    size: number,
  ): Promise<{ ms: number; cpuUsPerUnit: number } | undefined> {
    if (errors.has(method.id)) return undefined
    try {
      await workload.reset(schema.pool, size)
      const session = await method.open(target)
      let elapsedMs: number
      let cpuUs: number
      let output
      try {
        const cpuBefore = process.cpuUsage()
        const start = process.hrtime.bigint()
        output = await session.run(size)
        elapsedMs = Number(process.hrtime.bigint() - start) / 1e6
        const cpu = process.cpuUsage(cpuBefore)
        cpuUs = cpu.user + cpu.system
      } finally {
        await session.close()
      }
      await workload.verify(schema.pool, size, output)
      return { ms: elapsedMs, cpuUsPerUnit: cpuUs / size }
    } catch (error) {
      errors.set(method.id, errorText(error))
      plan.log?.(`    ${method.id}: FAILED: ${errorText(error)}`)
      return undefined
    }
  }

  try {
    await workload.setup(schema.pool, plan.size)
    for (let w = 0; w < plan.warmups; w++) {
      for (const method of plan.methods)
        await once(method, Math.min(plan.warmupSize, sizeFor(method)))
    }
    for (let r = 0; r < plan.runs; r++) {
      // Rotate the order each round so no method always runs first (or last).
      const order = plan.methods
        .map((_, i) => plan.methods[(i + r) % plan.methods.length])
        .filter((m) => m !== undefined)
      for (const method of order) {
        if (commitsPerRow(method) && r >= plan.naiveRuns) continue
        const measured = await once(method, sizeFor(method))
        if (measured === undefined) continue
        samples.set(method.id, [...(samples.get(method.id) ?? []), measured.ms])
        cpuSamples.set(method.id, [...(cpuSamples.get(method.id) ?? []), measured.cpuUsPerUnit])
        plan.log?.(`    ${method.id.padEnd(28)} run ${r + 1}: ${measured.ms.toFixed(1)} ms`)
      }
    }
  } finally {
    await schema.drop()
  }
  return {
    ...summarizeMethods(plan, samples, cpuSamples, errors, sizeFor),
    workload: workload.id,
  }
}

function summarizeMethods(
  plan: WorkloadPlan,
  samples: Map<string, number[]>,
  cpuSamples: Map<string, number[]>,
  errors: Map<string, string>,
  sizeFor: (method: BenchMethod) => number,
): Omit<WorkloadResult, 'workload'> {
  const base = plan.methods.map((method) => {
    const measured = samples.get(method.id) ?? []
    const cpu = cpuSamples.get(method.id) ?? []
    const measuredSize = sizeFor(method)
    const scale = plan.size / measuredSize
    const error = errors.get(method.id)
    return {
      id: method.id,
      label: method.label,
      kind: method.kind,
      samplesMs: measured,
      measuredSize,
      extrapolated: measuredSize < plan.size,
      ...(measured.length > 0 && error === undefined
        ? {
            medianMs: summarize(measured).median * scale,
            cpuUsPerUnit: summarize(cpu).median,
          }
        : {}),
      ...(error !== undefined ? { error } : {}),
    }
  })
  const naive = base.find((m) => m.kind === 'naive')?.medianMs
  const hands = base
    .filter((m) => m.kind === 'hand' && m.medianMs !== undefined)
    .map((m) => m.medianMs ?? Infinity)
  const bestHand = hands.length > 0 ? Math.min(...hands) : undefined
  const methods: MethodResult[] = base.map((m) => ({
    ...m,
    ...(m.medianMs !== undefined && naive !== undefined
      ? { speedupVsNaive: naive / m.medianMs }
      : {}),
    ...(m.medianMs !== undefined && bestHand !== undefined
      ? { vsBestHand: m.medianMs / bestHand }
      : {}),
  }))
  return {
    title: plan.workload.title,
    size: plan.size,
    unit: plan.workload.unit,
    network: plan.network,
    methods,
  }
}
