import type { QueueMemoryResult } from '../probes/queueMemory'
import type { SweepPoint } from '../sweeps/sweepPoint'
import type { ChartSeries } from './svgLineChart'
import { renderLineChart } from './svgLineChart'

function seriesOf(points: readonly SweepPoint[]): ChartSeries[] {
  const names = [...new Set(points.map((p) => p.series))]
  return names.map((name) => ({
    name,
    points: points.filter((p) => p.series === name).map((p) => ({ x: p.x, y: p.throughput })),
  }))
}

/**
 * The sweep charts as SVG documents, keyed by file name.
 *
 * @example
 * for (const [file, svg] of Object.entries(benchCharts(sweeps, subtitle))) await writeFile(file, svg)
 */
export function benchCharts(
  sweeps: {
    readonly batchSize?: readonly SweepPoint[]
    readonly roundTrip?: readonly SweepPoint[]
    readonly memory?: readonly QueueMemoryResult[]
    readonly batchSizeRttMs?: number
  },
  subtitle: string,
): Record<string, string> {
  const charts: Record<string, string> = {}
  if (sweeps.batchSize && sweeps.batchSize.length > 0) {
    charts['bench-batch-size.svg'] = renderLineChart({
      title: `Sluice throughput vs batch size (${sweeps.batchSizeRttMs ?? 1} ms round trip)`,
      subtitle,
      xLabel: 'batch size',
      yLabel: 'queries per second',
      xScale: 'log',
      yScale: 'log',
      series: seriesOf(sweeps.batchSize),
    })
  }
  if (sweeps.roundTrip && sweeps.roundTrip.length > 0) {
    charts['bench-round-trip.svg'] = renderLineChart({
      title: 'Throughput vs network round trip',
      subtitle,
      xLabel: 'round trip (ms)',
      yLabel: 'queries per second',
      xScale: 'linear',
      yScale: 'log',
      series: seriesOf(sweeps.roundTrip),
    })
  }
  if (sweeps.memory && sweeps.memory.length > 0) {
    const mb = (bytes: number): number => bytes / 1024 / 1024
    charts['bench-queue-memory.svg'] = renderLineChart({
      title: 'Sluice memory vs queue depth (queued INSERTs)',
      subtitle,
      xLabel: 'queued queries',
      yLabel: 'MiB',
      xScale: 'linear',
      yScale: 'linear',
      series: [
        {
          name: 'heap held while queued',
          points: sweeps.memory.map((m) => ({ x: m.depth, y: mb(m.heapQueued - m.heapBefore) })),
        },
        {
          name: 'peak heap while running',
          points: sweeps.memory.map((m) => ({
            x: m.depth,
            y: mb(m.peakHeapSampled - m.heapBefore),
          })),
        },
        {
          name: 'peak RSS of the process',
          points: sweeps.memory.map((m) => ({ x: m.depth, y: mb(m.maxRss) })),
        },
      ],
    })
  }
  return charts
}
