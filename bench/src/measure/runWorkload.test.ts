import { testDatabaseUrl } from '@sluice/test-database'
import { describe, expect, it } from 'vitest'
import { targetFromUrl } from '../database/benchTarget'
import type { BenchMethod } from '../methods/benchMethod'
import { openNaiveRunner } from '../methods/naiveRunner'
import { bulkInsert } from '../workloads/bulkInsert'
import { multiGet } from '../workloads/multiGet'
import type { Workload } from '../workloads/workload'
import { runWorkload } from './runWorkload'

/** A method that silently drops every 50th statement: it must be caught, not timed. */
function lossyMethod(workload: Workload): BenchMethod {
  return {
    id: 'lossy',
    label: 'drops statements',
    kind: 'sluice',
    async open(target) {
      const runner = await openNaiveRunner(target)
      let n = 0
      return {
        run: (size) =>
          workload.run(
            {
              submit: (sql, params) =>
                ++n % 50 === 0
                  ? Promise.resolve({ done: Promise.resolve([]) })
                  : runner.submit(sql, params),
              submitGroup: (statements) => runner.submitGroup(statements),
              drain: () => runner.drain(),
            },
            size,
          ),
        close: () => runner.close(),
      }
    },
  }
}

describe('runWorkload', () => {
  it.each([bulkInsert, multiGet])(
    'reports a method that loses statements on $id as failed, with no time',
    async (workload) => {
      const serverUrl = testDatabaseUrl()
      const server = targetFromUrl(serverUrl, 'public')
      const result = await runWorkload(serverUrl, {
        workload,
        size: 200,
        methods: [lossyMethod(workload)],
        runs: 1,
        warmups: 0,
        warmupSize: 200,
        naiveSize: 200,
        naiveRuns: 1,
        endpoint: { host: server.host, port: server.port },
        network: {
          label: 'direct',
          oneWayDelayUs: 0,
          selectOneRttMs: { median: 0, p95: 0, min: 0 },
        },
      })
      const [method] = result.methods
      expect(method?.error).toMatch(/verification failed/)
      expect(method?.medianMs).toBeUndefined()
    },
  )
})
