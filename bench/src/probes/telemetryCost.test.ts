import { testDatabaseUrl } from '@sluice/test-database'
import { expect, it } from 'vitest'
import { multiGet } from '../workloads/multiGet'
import { TELEMETRY_ARMS, measureTelemetryCost } from './telemetryCost'

// The probe end to end at a small size: every arm runs and verifies its reads, and the arms with
// telemetry export spans over OTLP/HTTP. No timing assertions.
it('runs the workload under every telemetry arm and exports spans', async () => {
  const cost = await measureTelemetryCost(testDatabaseUrl(), multiGet, 50, {
    rounds: 1,
    runs: 2,
    warmups: 1,
  })
  expect(cost.arms.map((arm) => arm.arm)).toEqual(TELEMETRY_ARMS)
  for (const arm of cost.arms) {
    expect(arm.ms).toHaveLength(2)
    expect(arm.throughput).toBeGreaterThan(0)
    expect(arm.cpuMedianMs).toBeGreaterThan(0)
  }
  expect(cost.strategy).toBe('parallel')
  expect(cost.exportedBytes).toBeGreaterThan(0)
}, 120_000)
