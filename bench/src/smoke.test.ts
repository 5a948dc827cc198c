import { testDatabaseUrl } from '@sluice/test-database'
import { describe, expect, it } from 'vitest'
import { parseBenchOptions } from './cli/benchOptions'
import { runWorkload } from './measure/runWorkload'
import { methodsFor } from './methods/methodsFor'
import { targetFromUrl } from './database/benchTarget'
import { WORKLOADS } from './workloads/allWorkloads'

// The quick form's smallest sizes (those it runs the row-at-a-time methods at), each method once,
// straight to the server: checks that every method, Sluice's strategies included, leaves (and
// reads) exactly the right rows. No timing assertions.
const quick = parseBenchOptions(['--quick'], '.')

describe('benchmark smoke test', () => {
  it.each(WORKLOADS.map((w) => [w.id, w] as const))(
    '%s: every method produces the right result',
    async (_id, workload) => {
      const serverUrl = testDatabaseUrl()
      const server = targetFromUrl(serverUrl, 'public')
      const size = quick.naiveSizes[workload.id] ?? 100
      const result = await runWorkload(serverUrl, {
        workload,
        size,
        methods: methodsFor(workload, { sluice: true, sluiceWithoutOptimizer: true }),
        runs: 1,
        warmups: 0,
        warmupSize: size,
        naiveSize: size,
        naiveRuns: 1,
        endpoint: { host: server.host, port: server.port },
        network: {
          label: 'direct',
          oneWayDelayUs: 0,
          selectOneRttMs: { median: 0, p95: 0, min: 0 },
        },
      })
      const failures = result.methods
        .filter((m) => m.error !== undefined)
        .map((m) => `${m.id}: ${m.error ?? ''}`)
      expect(failures).toEqual([])
      const kinds = new Set(result.methods.map((m) => m.kind))
      expect(kinds).toContain('naive')
      expect(kinds).toContain('postgres.js')
      expect(kinds).toContain('hand')
      expect(kinds).toContain('sluice')
      for (const method of result.methods) expect(method.samplesMs).toHaveLength(1)
    },
  )
})
