import { join } from 'node:path'
import type { DelayProxyImplementation } from '../proxy/delayProxy'

/** Per-workload numbers (size, naive cap...). */
export type PerWorkload = Readonly<Record<string, number>>

/** Everything a benchmark run is configured by. */
export interface BenchOptions {
  readonly quick: boolean
  /** Profile mode: a CPU profile of each Sluice workload and µs per query by stage, nothing else. */
  readonly profile: boolean
  readonly sizes: PerWorkload
  /** The naive form is measured on at most this many rows (scaled linearly beyond). */
  readonly naiveSizes: PerWorkload
  readonly runs: number
  readonly naiveRuns: number
  readonly warmups: number
  /** One-way delays to run at, µs; 0 means direct (no proxy). */
  readonly delaysUs: readonly number[]
  readonly proxy: DelayProxyImplementation | 'auto'
  /** Take the proxy's own overhead off its delay (see openNetworkPath). */
  readonly calibrate: boolean
  readonly only?: readonly string[]
  /** Overrides of the Sluice settings of the main table (`--sluice-batch=`, `--sluice-flush-ms=`). */
  readonly sluiceBatchSize?: number
  readonly sluiceFlushIntervalMs?: number
  readonly table: boolean
  readonly sweeps: boolean
  readonly extras: boolean
  readonly outDir: string
  readonly docsDir: string
}

const FULL_SIZES: PerWorkload = {
  'bulk-insert': 10_000,
  'batch-update': 5_000,
  'multi-get': 1_000,
  etl: 100_000,
  transfers: 1_000,
}
const QUICK_SIZES: PerWorkload = {
  'bulk-insert': 2_000,
  'batch-update': 1_000,
  'multi-get': 500,
  etl: 10_000,
  transfers: 300,
}
// Methods that commit every row on its own (naive, postgres.js, Sluice with the optimizer off)
// cost a round trip or a WAL flush per row: minutes for the 100k-row ETL. The full run measures
// them on 10,000 of its rows (scaled, and labelled so); quick runs scale every workload down.
const FULL_NAIVE: PerWorkload = {
  'bulk-insert': 10_000,
  'batch-update': 5_000,
  'multi-get': 1_000,
  etl: 10_000,
  transfers: 1_000,
}
const QUICK_NAIVE: PerWorkload = {
  'bulk-insert': 500,
  'batch-update': 500,
  'multi-get': 500,
  etl: 1_000,
  transfers: 100,
}

function flag(args: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length)
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a whole number ≥ 0, got "${value}"`)
  return n
}

/**
 * Reads the command line: `--quick`, `--only=bulk-insert,etl`, `--runs=5`, `--naive-runs=2`,
 * `--delays=0,500` (one-way µs), `--proxy=native|node|auto`, `--naive-full` (never scale the
 * row-at-a-time methods), `--no-calibrate` (proxy delay as given), `--no-table` (only sweeps and extras), `--no-sweeps`, `--no-extras` (memory and telemetry), `--out=dir`, `--docs=dir`,
 * `--sluice-batch=N` and `--sluice-flush-ms=N` (Sluice's batchSize / flushIntervalMs), `--profile`
 * (CPU profiles and the stage breakdown only).
 *
 * @example
 * const options = parseBenchOptions(['--quick'], '/repo/bench')
 */
export function parseBenchOptions(args: readonly string[], benchDir: string): BenchOptions {
  const known = [
    '--quick',
    '--profile',
    '--naive-full',
    '--no-calibrate',
    '--no-table',
    '--no-sweeps',
    '--no-extras',
    '--only=',
    '--runs=',
    '--naive-runs=',
    '--warmups=',
    '--delays=',
    '--proxy=',
    '--out=',
    '--docs=',
    '--sluice-batch=',
    '--sluice-flush-ms=',
  ]
  for (const arg of args) {
    if (!known.some((k) => (k.endsWith('=') ? arg.startsWith(k) : arg === k))) {
      throw new Error(`unknown option "${arg}"; known: ${known.join(' ')}`)
    }
  }
  const quick = args.includes('--quick')
  const sizes = quick ? QUICK_SIZES : FULL_SIZES
  const naiveSizes = args.includes('--naive-full') ? sizes : quick ? QUICK_NAIVE : FULL_NAIVE
  const proxy = flag(args, 'proxy') ?? 'auto'
  if (proxy !== 'auto' && proxy !== 'native' && proxy !== 'node') {
    throw new Error(`--proxy must be auto, native or node, got "${proxy}"`)
  }
  const delays = (flag(args, 'delays') ?? '0,500')
    .split(',')
    .map((d) => positiveInt(d, 'delays', 0))
  const only = flag(args, 'only')?.split(',')
  const sluiceBatch = flag(args, 'sluice-batch')
  const sluiceFlush = flag(args, 'sluice-flush-ms')
  return {
    quick,
    profile: args.includes('--profile'),
    sizes,
    naiveSizes,
    runs: Math.max(1, positiveInt(flag(args, 'runs'), 'runs', quick ? 3 : 5)),
    naiveRuns: Math.max(1, positiveInt(flag(args, 'naive-runs'), 'naive-runs', quick ? 1 : 2)),
    warmups: positiveInt(flag(args, 'warmups'), 'warmups', 1),
    delaysUs: delays,
    proxy,
    calibrate: !args.includes('--no-calibrate'),
    ...(only ? { only } : {}),
    ...(sluiceBatch !== undefined
      ? { sluiceBatchSize: Math.max(1, positiveInt(sluiceBatch, 'sluice-batch', 1)) }
      : {}),
    ...(sluiceFlush !== undefined
      ? { sluiceFlushIntervalMs: positiveInt(sluiceFlush, 'sluice-flush-ms', 0) }
      : {}),
    table: !args.includes('--no-table'),
    sweeps: !args.includes('--no-sweeps'),
    extras: !args.includes('--no-extras'),
    outDir: flag(args, 'out') ?? join(benchDir, 'results'),
    docsDir: flag(args, 'docs') ?? join(benchDir, '..', 'docs'),
  }
}
