/*
 * Which stage of a query's life a CPU profile sample belongs to. A sample's stack is read from
 * the root to the leaf; the innermost frame that marks a stage decides it, so a helper shared by
 * two stages (pg's value serializer, say) counts where it was called from.
 */

/** The stages of the breakdown, plus where the rest of the process's time went. */
export const STAGES = [
  'intake',
  'queue',
  'planning',
  'execution',
  'delivery',
  'application',
  'gc',
  'other',
] as const
export type Stage = (typeof STAGES)[number]

/** What a stage covers, for the table's legend. */
export const STAGE_MEANING: Readonly<Record<Stage, string>> = {
  intake: 'addQuery: validation, parameter copy, admission',
  queue: 'queue, dispatcher, flush timer',
  planning: 'classification, catalog lookup, merge building',
  execution: "strategy runners, pg's message encoding and parsing",
  delivery: 'splitting merged results, ledger, results, promises, events',
  application: "the benchmark's own code (the caller)",
  gc: 'garbage collection',
  other: 'Node internals outside any stage (sockets, timers), the profiler',
}

/** A frame of a V8 CPU profile. */
export interface ProfileFrame {
  readonly functionName: string
  readonly url: string
}

const CORE = '/pipeline-core/src/'

/** The stage a file of pipeline-core marks, by its path under src/. */
function coreFileStage(path: string, functionName: string): Stage | undefined {
  if (functionName === 'distribute') return 'delivery'
  if (path.startsWith('pipeline/queryIntake') || path.startsWith('pipeline/queryValidation'))
    return 'intake'
  if (path.startsWith('pipeline/addOptions')) return 'intake'
  if (path.startsWith('pipeline/queryPipeline'))
    return ['addQuery', 'addQueries', 'addGroup', 'admit'].includes(functionName)
      ? 'intake'
      : undefined
  if (
    path.startsWith('pipeline/queryQueue') ||
    path.startsWith('pipeline/batchDispatcher') ||
    path.startsWith('pipeline/flush')
  )
    return 'queue'
  if (
    path.startsWith('pipeline/resultDelivery') ||
    path.startsWith('pipeline/pipelineEvents') ||
    path.startsWith('pipeline/pipelineStats') ||
    path.startsWith('execution/batchLedger')
  )
    return 'delivery'
  if (path.startsWith('execution/batchExecutor'))
    return functionName === 'plan' || functionName === 'execute'
      ? 'planning'
      : functionName.startsWith('results') || functionName === 'summaryOf'
        ? 'delivery'
        : undefined
  if (path.startsWith('execution/')) return 'execution'
  if (path.startsWith('optimizer/') || path.startsWith('plan/') || path.startsWith('sql/'))
    return 'planning'
  return undefined
}

/**
 * The stage `frame` marks, or undefined when it takes its caller's (shared helpers, Node's
 * internals, tracing).
 *
 * @example
 * frameStage({ functionName: 'validateQueryShape', url: 'file:///r/packages/pipeline-core/src/pipeline/queryValidation.ts' }) // 'intake'
 */
export function frameStage(frame: ProfileFrame): Stage | undefined {
  const { url, functionName } = frame
  if (functionName === '(garbage collector)') return 'gc'
  const core = url.indexOf(CORE)
  if (core >= 0) return coreFileStage(url.slice(core + CORE.length), functionName)
  // pg's serializer (utils.js) is shared by intake and execution: it takes its caller's stage.
  if (/\/node_modules\/pg\/lib\/(?!utils)/.test(url) || url.includes('/node_modules/pg-protocol/'))
    return 'execution'
  if (url.includes('/node_modules/pg-pool/')) return 'execution'
  if (url.includes('/node_modules/libpg-query/')) return 'planning'
  if (url.includes('/bench/src/')) return 'application'
  return undefined
}

/** The parts of a V8 `.cpuprofile` the breakdown reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number
    readonly callFrame: ProfileFrame
    readonly children?: readonly number[]
  }[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/**
 * Busy time per stage, µs (idle samples left out): each sample's time goes to the stage of its
 * innermost stage-marking frame, `other` when none.
 *
 * @example
 * const byStage = stageTimes(profile)
 * byStage.planning / queries // µs per query spent planning
 */
export function stageTimes(profile: CpuProfile): Record<Stage, number> {
  const parent = new Map<number, number>()
  const byId = new Map<number, CpuProfile['nodes'][number]>()
  for (const node of profile.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  const stageOf = new Map<number, Stage | 'idle'>()
  const resolve = (id: number): Stage | 'idle' => {
    const known = stageOf.get(id)
    if (known) return known
    const node = byId.get(id)
    const name = node?.callFrame.functionName
    let stage: Stage | 'idle'
    if (name === '(idle)') stage = 'idle'
    else {
      const own = node ? frameStage(node.callFrame) : undefined
      const up = parent.get(id)
      stage = own ?? (up === undefined ? 'other' : resolve(up))
      if (stage === 'idle') stage = 'other'
    }
    stageOf.set(id, stage)
    return stage
  }
  const totals = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>
  profile.samples.forEach((id, index) => {
    // The first delta runs from the profiler's start to its first tick: no sample's time.
    if (index === 0) return
    const stage = resolve(id)
    if (stage !== 'idle') totals[stage] += profile.timeDeltas[index] ?? 0
  })
  return totals
}
