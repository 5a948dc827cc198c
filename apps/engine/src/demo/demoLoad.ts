import type pg from 'pg'
import { EngineError } from '../errors'
import type { Logger } from '../logger'
import type { PipelineRegistry } from '../pipelines/pipelineRegistry'
import type { SubmittedQuery } from '@sluice/pipeline-core'
import { pipelineConfigSchema } from '@sluice/contract'

/** Name of the demo pipeline. */
export const demoPipelineName = 'demo'

const setupSql = `
  CREATE SCHEMA IF NOT EXISTS sluice_demo;
  CREATE TABLE IF NOT EXISTS sluice_demo.orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id integer NOT NULL,
    amount numeric(10, 2) NOT NULL,
    status text NOT NULL DEFAULT 'new',
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS sluice_demo.customers (id integer PRIMARY KEY, email text NOT NULL UNIQUE);
  INSERT INTO sluice_demo.customers (id, email)
    SELECT n, 'customer' || n || '@example.com' FROM generate_series(1, 1000) AS n
    ON CONFLICT DO NOTHING;
`

const randomInt = (max: number): number => Math.floor(Math.random() * max) + 1

/*
 * A realistic mix: mostly inserts and point reads, some updates, and about 2% of queries that fail
 * (a duplicate customer email, 23505) so the failures page has something to show.
 */
function demoQuery(): SubmittedQuery {
  const roll = Math.random()
  if (roll < 0.55) {
    return {
      sql: 'INSERT INTO sluice_demo.orders (customer_id, amount) VALUES ($1, $2)',
      params: [randomInt(1000), (Math.random() * 200).toFixed(2)],
    }
  }
  if (roll < 0.88)
    return {
      sql: 'SELECT id, email FROM sluice_demo.customers WHERE id = $1',
      params: [randomInt(1000)],
    }
  if (roll < 0.98) {
    return {
      sql: "UPDATE sluice_demo.orders SET status = 'shipped' WHERE id = (SELECT max(id) FROM sluice_demo.orders) - $1",
      params: [randomInt(50)],
    }
  }
  const id = 1000 + randomInt(1_000_000)
  return {
    sql: 'INSERT INTO sluice_demo.customers (id, email) VALUES ($1, $2)',
    params: [id, `customer${randomInt(1000)}@example.com`],
    callbackId: `demo-signup-${id}`,
  }
}

/** The running demo load; `stop()` lets in-flight requests finish. */
export interface DemoLoad {
  stop(): Promise<void>
}

/**
 * Creates the `demo` pipeline (on the default target, tables in schema `sluice_demo`) unless it
 * exists, and feeds it about 200 queries a second until stopped.
 *
 * @example
 * const demo = await startDemoLoad(registry, pool, log)
 * await demo.stop()
 */
export async function startDemoLoad(
  registry: PipelineRegistry,
  pool: pg.Pool,
  log: Logger,
): Promise<DemoLoad> {
  await pool.query(setupSql)
  if (!registry.find(demoPipelineName)) {
    await registry.create(
      demoPipelineName,
      pipelineConfigSchema.parse({ strategy: 'best_effort', batchSize: 50, flushIntervalMs: 50 }),
      false,
    )
  }
  const inFlight = new Set<Promise<unknown>>()
  let lastRefusal = ''
  let ticks = 0
  const timer = setInterval(() => {
    ticks += 1
    const queries = Array.from({ length: 15 + randomInt(10) }, demoQuery)
    // Keep the demo table small: trim old orders once a minute.
    if (ticks % 600 === 0) {
      queries.push({
        sql: 'DELETE FROM sluice_demo.orders WHERE id < (SELECT max(id) FROM sluice_demo.orders) - 50000',
        params: [],
      })
    }
    const request = registry
      .submit(demoPipelineName, queries, false)
      .then(() => {
        lastRefusal = ''
      })
      .catch((error: unknown) => {
        // Paused, halted, deleted or full: the demo waits quietly; say it once per reason.
        const reason = error instanceof EngineError ? error.code : String(error)
        if (reason !== lastRefusal)
          log.info({ pipeline: demoPipelineName, reason }, 'demo load is waiting')
        lastRefusal = reason
      })
      .finally(() => inFlight.delete(request))
    inFlight.add(request)
  }, 100)
  log.info({ pipeline: demoPipelineName }, 'demo load started (~200 queries/s, ~2% failing)')
  return {
    async stop() {
      clearInterval(timer)
      await Promise.allSettled([...inFlight])
    },
  }
}
