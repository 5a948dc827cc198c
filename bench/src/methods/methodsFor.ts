import pg from 'pg'
import { pgConfig } from '../database/benchTarget'
import type { Workload } from '../workloads/workload'
import type { BenchMethod } from './benchMethod'
import { openNaiveRunner } from './naiveRunner'
import { openPostgresJsRunner } from './postgresJsRunner'
import { DEFAULT_SLUICE_SETTINGS, openSluiceRunner } from './sluiceRunner'
import type { SluiceSettings } from './sluiceRunner'

/** Which methods to build. */
export interface MethodChoice {
  /** False when QueryPipeline is not available. */
  readonly sluice: boolean
  /** Also run Sluice with the optimizer off (pipelining alone), first strategy only. */
  readonly sluiceWithoutOptimizer: boolean
  readonly sluiceSettings?: Partial<SluiceSettings>
}

/**
 * Sluice with the given settings, fed the workload's statements through addQuery / addGroup.
 *
 * @example
 * const method = sluiceMethod(bulkInsert, { ...DEFAULT_SLUICE_SETTINGS, strategy: 'parallel' }, 'b100')
 */
export function sluiceMethod(
  workload: Workload,
  settings: SluiceSettings,
  idSuffix = '',
): BenchMethod {
  const { strategy, optimize } = settings
  return {
    id: `sluice-${strategy}${optimize ? '' : '-unoptimized'}${idSuffix ? `-${idSuffix}` : ''}`,
    label: `Sluice ${strategy}${optimize ? '' : ', optimizer off'}${idSuffix ? ` (${idSuffix})` : ''}`,
    kind: 'sluice',
    async open(target) {
      const runner = await openSluiceRunner(target, settings, `bench-${workload.id}`)
      return { run: (size) => workload.run(runner, size), close: () => runner.close() }
    },
  }
}

/**
 * Every method of a workload: naive, Sluice per strategy, postgres.js, hand-written SQL, COPY.
 *
 * @example
 * const methods = methodsFor(bulkInsert, { sluice: true, sluiceWithoutOptimizer: true })
 */
export function methodsFor(workload: Workload, choice: MethodChoice): BenchMethod[] {
  const methods: BenchMethod[] = [
    {
      id: 'naive',
      label: 'naive: pg, await each statement',
      kind: 'naive',
      async open(target) {
        const runner = await openNaiveRunner(target)
        return { run: (size) => workload.run(runner, size), close: () => runner.close() }
      },
    },
  ]
  if (choice.sluice) {
    const base = {
      ...DEFAULT_SLUICE_SETTINGS,
      ...workload.sluice.settings,
      ...choice.sluiceSettings,
    }
    for (const strategy of workload.sluice.strategies)
      methods.push(sluiceMethod(workload, { ...base, strategy }))
    const first = workload.sluice.strategies[0]
    if (choice.sluiceWithoutOptimizer && first)
      methods.push(sluiceMethod(workload, { ...base, strategy: first, optimize: false }))
  }
  methods.push({
    id: 'postgres.js',
    label: 'postgres.js pipelining (all at once, 1 connection)',
    kind: 'postgres.js',
    async open(target) {
      const runner = await openPostgresJsRunner(target)
      return { run: (size) => workload.run(runner, size), close: () => runner.close() }
    },
  })
  for (const direct of workload.direct) {
    methods.push({
      id: direct.id,
      label: direct.label,
      kind: direct.kind,
      async open(target) {
        const main = new pg.Client(pgConfig(target))
        const second = new pg.Client(pgConfig(target))
        await Promise.all([main.connect(), second.connect()])
        return {
          run: (size) => direct.run({ main, second }, size),
          close: async () => {
            await Promise.all([main.end(), second.end()])
          },
        }
      },
    })
  }
  return methods
}
