import { statementShapeOf, type QueryResult } from '@sluice/pipeline-core'
import {
  OTHER_FINGERPRINT,
  OTHER_QUERY,
  addTally,
  countResult,
  emptyTally,
  type StatementTally,
} from './statementTally'

/**
 * Counts every query result per pipeline, statement shape and minute, in memory, until the
 * insights store takes them (`drain`). Bounded: a pipeline keeps at most `topN` shapes per
 * drain (the rest, by total time, add up under one "other" shape) and at most `4 × topN` while
 * counting, so a flood of distinct texts cannot grow it.
 *
 * @example
 * const collector = new InsightsCollector(100)
 * collector.record('orders', ['SELECT 1'], [result])
 * const tallies = collector.drain()
 */
export class InsightsCollector {
  readonly #topN: number
  /** pipeline → `${bucket}:${fingerprint}` → tally. */
  #open = new Map<string, Map<string, StatementTally>>()

  constructor(topN: number) {
    this.#topN = topN
  }

  /** Counts `results` (each with the SQL it ran) of `pipeline`. */
  record(pipeline: string, sqls: readonly string[], results: readonly QueryResult[]): void {
    const at = Date.now()
    const bucket = at - (at % 60_000)
    let shapes = this.#open.get(pipeline)
    if (!shapes) {
      shapes = new Map()
      this.#open.set(pipeline, shapes)
    }
    for (const [index, result] of results.entries()) {
      const fingerprint = result.fingerprint
      if (fingerprint === undefined) continue
      let key = `${String(bucket)}:${fingerprint}`
      let tally = shapes.get(key)
      if (!tally) {
        if (shapes.size >= this.#topN * 4) {
          key = `${String(bucket)}:${OTHER_FINGERPRINT}`
          tally = shapes.get(key)
        }
        if (!tally) {
          const other = key.endsWith(OTHER_FINGERPRINT)
          const sql = sqls[index] ?? ''
          const query = other ? OTHER_QUERY : (statementShapeOf(sql)?.normalized ?? sql)
          tally = emptyTally(pipeline, other ? OTHER_FINGERPRINT : fingerprint, bucket, query, at)
          shapes.set(key, tally)
        }
      }
      countResult(tally, result, at)
    }
  }

  /** Takes what was counted: per pipeline and minute at most `topN` shapes plus "other". */
  drain(): StatementTally[] {
    const open = this.#open
    this.#open = new Map()
    const drained: StatementTally[] = []
    for (const shapes of open.values()) {
      const byBucket = new Map<number, StatementTally[]>()
      for (const tally of shapes.values())
        byBucket.set(tally.bucket, [...(byBucket.get(tally.bucket) ?? []), tally])
      for (const tallies of byBucket.values()) {
        tallies.sort((a, b) => b.totalMs - a.totalMs)
        const kept = tallies.filter((tally) => tally.fingerprint !== OTHER_FINGERPRINT)
        const rest = [
          ...kept.splice(this.#topN),
          ...tallies.filter((tally) => tally.fingerprint === OTHER_FINGERPRINT),
        ]
        drained.push(...kept)
        const first = rest[0]
        if (first) {
          const other = emptyTally(
            first.pipeline,
            OTHER_FINGERPRINT,
            first.bucket,
            OTHER_QUERY,
            first.firstSeen,
          )
          for (const tally of rest) addTally(other, tally)
          drained.push(other)
        }
      }
    }
    return drained
  }

  /** Puts tallies back (their write failed): they are written with the next drain. */
  restore(tallies: readonly StatementTally[]): void {
    for (const tally of tallies) {
      let shapes = this.#open.get(tally.pipeline)
      if (!shapes) {
        shapes = new Map()
        this.#open.set(tally.pipeline, shapes)
      }
      const key = `${String(tally.bucket)}:${tally.fingerprint}`
      const existing = shapes.get(key)
      if (existing) addTally(existing, tally)
      else shapes.set(key, { ...tally })
    }
  }
}
