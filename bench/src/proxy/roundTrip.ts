import pg from 'pg'
import { summarize } from '../measure/stats'
import type { Summary } from '../measure/stats'

/**
 * Measures the round trip of `SELECT 1` over one connection (a warm-up, then `samples` timed
 * queries), in milliseconds: what a one-query-per-round-trip client really waits.
 *
 * @example
 * const rtt = await measureSelectOneRoundTrip({ connectionString: url }, 200)
 * console.log(rtt.median)
 */
export async function measureSelectOneRoundTrip(
  config: pg.ClientConfig,
  samples = 200,
): Promise<Summary> {
  const client = new pg.Client(config)
  await client.connect()
  try {
    for (let i = 0; i < 20; i++) await client.query('SELECT 1')
    const times: number[] = []
    for (let i = 0; i < samples; i++) {
      const start = process.hrtime.bigint()
      await client.query('SELECT 1')
      times.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    return summarize(times)
  } finally {
    await client.end()
  }
}
