import { describe, expect, it } from 'vitest'
import type { RecentBatch } from './recentBatch'
import { RecentBatchStore } from './recentBatchStore'

function batch(pipeline: string, n: number): RecentBatch {
  return {
    pipeline,
    batchId: `b${n}`,
    traceId: n.toString(16).padStart(32, '0'),
    spanId: n.toString(16).padStart(16, '0'),
    strategy: 'parallel',
    size: n,
    statements: 1,
    startTime: 1_700_000_000_000 + n,
    durationMs: 1,
    succeeded: n,
    failed: 0,
    skipped: 0,
    rolledBack: 0,
    merged: 0,
    deduplicated: 0,
    callers: [],
  }
}

describe('RecentBatchStore', () => {
  it('keeps the last N batches of each pipeline, newest first', () => {
    const store = new RecentBatchStore(3)
    for (let n = 1; n <= 5; n++) store.add(batch('busy', n))
    store.add(batch('quiet', 1))
    expect(store.list('busy').map((b) => b.batchId)).toEqual(['b5', 'b4', 'b3'])
    expect(store.list('busy', 2).map((b) => b.batchId)).toEqual(['b5', 'b4'])
    expect(store.list('quiet').map((b) => b.batchId)).toEqual(['b1'])
    expect(store.list('unknown')).toEqual([])
    expect(store.pipelines().sort()).toEqual(['busy', 'quiet'])
    expect(store.recent(2).map((b) => `${b.pipeline}/${b.batchId}`)).toEqual(['busy/b5', 'busy/b4'])
    expect(store.recent(10).map((b) => b.batchId)).toEqual(['b5', 'b4', 'b3', 'b1'])
    expect(store.find('busy', 'b4')?.size).toBe(4)
    expect(store.find('busy', 'b1')).toBeUndefined()
    store.forget('busy')
    expect(store.pipelines()).toEqual(['quiet'])
  })

  it('tells subscribers about new batches until they unsubscribe, despite a broken one', () => {
    const store = new RecentBatchStore(2)
    const seen: string[] = []
    store.subscribe(() => {
      throw new Error('broken subscriber')
    })
    const stop = store.subscribe((b) => seen.push(b.batchId))
    store.add(batch('p', 1))
    stop()
    store.add(batch('p', 2))
    expect(seen).toEqual(['b1'])
    expect(store.list('p')).toHaveLength(2)
  })

  it('rejects a capacity that is not a positive integer, naming the option', () => {
    expect(() => new RecentBatchStore(0)).toThrow(
      /recentBatchesPerPipeline must be a positive integer, got 0/,
    )
    expect(() => new RecentBatchStore(2.5)).toThrow(/recentBatchesPerPipeline/)
  })
})
