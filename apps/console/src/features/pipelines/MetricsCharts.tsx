'use client'

import type { MetricsSample } from '@sluice/contract'
import { useMemo } from 'react'
import { TimeSeriesChart } from '~/components/TimeSeriesChart'
import { toChartPoints } from '~/features/metrics/metricsSeries'
import { formatCount, formatDuration, formatPercent } from '~/lib/format'

interface MetricsChartsProps {
  samples: readonly MetricsSample[]
  windowSeconds: number
  /** The newest second: the charts' right edge. */
  now: number
}

/** The newest non-null value of a field: a quiet second should not blank the headline. */
function lastValue(
  samples: readonly MetricsSample[],
  key: 'successRate' | 'latencyP50Ms' | 'latencyP95Ms',
): number | null {
  for (let i = samples.length - 1; i >= 0; i--) {
    const value = samples[i]?.[key]
    if (value !== null && value !== undefined) return value
  }
  return null
}

const colors = {
  blue: '#2563eb',
  green: '#15803d',
  orange: '#d97706',
  purple: '#7c3aed',
  grey: '#64748b',
  red: '#dc2626',
}

/**
 * The pipeline detail's live charts: throughput, success rate, batch size (configured vs
 * effective vs actual), batch latency p50/p95 and queue depth over the chosen window.
 *
 * @example
 * <MetricsCharts samples={samples} windowSeconds={300} now={now} />
 */
export function MetricsCharts({ samples, windowSeconds, now }: MetricsChartsProps) {
  const points = useMemo(
    () => toChartPoints(samples, { windowSeconds, endAt: now }),
    [samples, windowSeconds, now],
  )
  const latest = samples.at(-1)
  const startAt = now - windowSeconds * 1000
  const common = { points, startAt, endAt: now }
  return (
    <div className="charts">
      <TimeSeriesChart
        {...common}
        title="Throughput"
        testId="chart-throughput"
        summary={`${formatCount(latest?.queriesPerSecond ?? 0)} queries/s`}
        lines={[{ key: 'queriesPerSecond', label: 'queries/s', color: colors.blue }]}
        formatValue={formatCount}
      />
      <TimeSeriesChart
        {...common}
        title="Success rate"
        testId="chart-success-rate"
        summary={formatPercent(lastValue(samples, 'successRate'))}
        lines={[{ key: 'successRate', label: 'success rate', color: colors.green }]}
        formatValue={formatPercent}
        yDomain={[0, 1]}
      />
      <TimeSeriesChart
        {...common}
        title="Batch size"
        testId="chart-batch-size"
        summary={`configured ${formatCount(latest?.configuredBatchSize)} · effective ${formatCount(latest?.effectiveBatchSize)}`}
        lines={[
          { key: 'avgBatchSize', label: 'actual (avg)', color: colors.blue },
          { key: 'effectiveBatchSize', label: 'effective', color: colors.purple },
          // Drawn last, dashed, so it stays visible where it equals the effective size.
          { key: 'configuredBatchSize', label: 'configured', color: colors.grey, dashed: true },
        ]}
        formatValue={formatCount}
      />
      <TimeSeriesChart
        {...common}
        title="Batch latency"
        testId="chart-latency"
        summary={`p50 ${formatDuration(lastValue(samples, 'latencyP50Ms'))} · p95 ${formatDuration(lastValue(samples, 'latencyP95Ms'))}`}
        lines={[
          { key: 'latencyP50Ms', label: 'p50', color: colors.blue },
          { key: 'latencyP95Ms', label: 'p95', color: colors.orange },
        ]}
        formatValue={formatDuration}
      />
      <TimeSeriesChart
        {...common}
        title="Queue depth"
        testId="chart-queue-depth"
        summary={`${formatCount(latest?.queueDepth ?? 0)} waiting`}
        lines={[{ key: 'queueDepth', label: 'queued', color: colors.red }]}
        formatValue={formatCount}
      />
    </div>
  )
}
