import { describe, expect, it } from 'vitest'
import { frameStage, stageTimes } from './stages'
import type { CpuProfile } from './stages'

const core = (path: string): string => `file:///repo/packages/pipeline-core/src/${path}`
const frame = (functionName: string, url = ''): { functionName: string; url: string } => ({
  functionName,
  url,
})

describe('stage of a profile sample', () => {
  it('counts a shared helper where it was called from', () => {
    // pg's value serializer under validation is intake; under a round trip it is execution.
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5, 8, 9] },
        { id: 2, callFrame: frame('addQuery', core('pipeline/queryPipeline.ts')), children: [3] },
        {
          id: 3,
          callFrame: frame('validateQueryShape', core('pipeline/queryValidation.ts')),
          children: [4],
        },
        { id: 4, callFrame: frame('prepareValue', 'file:///repo/node_modules/pg/lib/utils.js') },
        { id: 5, callFrame: frame('run', core('execution/pipelinedConnection.ts')), children: [6] },
        {
          id: 6,
          callFrame: frame('prepareValues', core('execution/pipelinedConnection.ts')),
          children: [7],
        },
        { id: 7, callFrame: frame('prepareValue', 'file:///repo/node_modules/pg/lib/utils.js') },
        { id: 8, callFrame: frame('(garbage collector)') },
        { id: 9, callFrame: frame('(idle)') },
      ],
      samples: [8, 4, 7, 7, 8, 9, 1],
      timeDeltas: [1000, 10, 20, 20, 5, 500, 3],
    }
    expect(stageTimes(profile)).toEqual({
      intake: 10,
      queue: 0,
      planning: 0,
      execution: 40,
      delivery: 0,
      application: 0,
      gc: 5,
      other: 3,
    })
  })

  it('puts distribute in delivery though its file is the optimizer', () => {
    expect(frameStage(frame('distribute', core('optimizer/merge/insertMerge.ts')))).toBe('delivery')
    expect(frameStage(frame('mergedInsertStatement', core('optimizer/merge/insertMerge.ts')))).toBe(
      'planning',
    )
    expect(frameStage(frame('parse', 'file:///r/node_modules/pg-protocol/dist/parser.js'))).toBe(
      'execution',
    )
    expect(frameStage(frame('run', 'file:///r/bench/src/workloads/bulkInsert.ts'))).toBe(
      'application',
    )
    expect(frameStage(frame('emit', 'node:events'))).toBeUndefined()
  })
})
