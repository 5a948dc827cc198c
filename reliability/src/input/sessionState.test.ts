import { PipelineError, QueryPipeline, type Strategy } from '@sluice/pipeline-core'
import { createTestSchema, type TestSchema } from '@sluice/test-database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reportFigures } from '../testing/figures'

/*
 * A pipeline shares pooled connections between queries that may come from many applications (the
 * engine's ingest). A query that changes session state (`SET statement_timeout`, `SET
 * search_path`) must not change what a later, unrelated query sees or does: either the SET is
 * refused (an INVALID_QUERY error, or a failed result), or its effect ends with its own batch.
 * "Each query's visible outcome is the same as if it had run alone" (docs/architecture.md).
 */

const strategies: readonly Strategy[] = ['best_effort', 'parallel', 'sequential', 'transactional']

describe('session state does not leak between queries', () => {
  let schema: TestSchema
  beforeAll(async () => {
    schema = await createTestSchema('session_state')
  })
  afterAll(async () => {
    await schema.drop()
  })

  for (const strategy of strategies) {
    it(`${strategy}: a SET by one query does not change a later query's session`, async () => {
      const pipeline = new QueryPipeline({
        name: `session-${strategy}`,
        connection: schema.url,
        strategy,
        batchSize: 10,
        flushIntervalMs: 2,
        // One connection: the later query is bound to land on the connection the SET ran on.
        maxConnections: 1,
        maxInFlightBatches: 1,
      })
      const before = await pipeline.query(
        "SELECT current_setting('statement_timeout') AS timeout, current_setting('search_path') AS path",
      )
      let setOutcome: string
      try {
        const results = await Promise.all([
          pipeline.query('SET statement_timeout = 1'),
          pipeline.query('SET search_path = pg_catalog'),
        ])
        setOutcome = results.map((r) => r.status).join(',')
      } catch (error) {
        setOutcome = error instanceof PipelineError ? `refused ${error.code}` : String(error)
      }
      if (pipeline.getStatus().state === 'halted') pipeline.resume()
      // Separate batches, later: what an unrelated application would send next.
      await new Promise((resolve) => setTimeout(resolve, 20))
      const after = await pipeline.query(
        "SELECT current_setting('statement_timeout') AS timeout, current_setting('search_path') AS path",
      )
      const slow = await pipeline.query('SELECT pg_sleep(0.05) IS NULL AS slept')
      await pipeline.close()
      reportFigures(`session state, ${strategy}`, {
        set: setOutcome,
        timeoutAfter: String(after.rows[0]?.timeout),
        pathAfter: String(after.rows[0]?.path),
        laterQuery: `${slow.status}${slow.error?.code ? ` ${slow.error.code}` : ''}`,
      })
      expect(after.rows, 'session settings seen by a later query').toEqual(before.rows)
      expect(slow.status, `a later query failed: ${slow.error?.message ?? ''}`).toBe('succeeded')
    })
  }
})
