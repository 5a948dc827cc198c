'use client'

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import { formatClock } from '~/lib/format'

/** Tick spacings that read well on a clock, in seconds. */
const tickSteps = [10, 15, 30, 60, 120, 180, 300, 600, 900, 1_200, 1_800]

/** Evenly spaced, clock-aligned ticks across the whole window, whether or not data covers it. */
function timeTicks(startAt: number, endAt: number): number[] {
  const span = (endAt - startAt) / 1000
  const step = (tickSteps.find((seconds) => seconds >= span / 6) ?? 3_600) * 1000
  const ticks: number[] = []
  for (let tick = Math.ceil(startAt / step) * step; tick <= endAt; tick += step) ticks.push(tick)
  return ticks
}

/** One line of a chart: which field of the points it draws. */
export interface ChartLine<K extends string> {
  key: K
  label: string
  color: string
  dashed?: boolean
}

interface TimeSeriesChartProps<P extends { at: number }, K extends keyof P & string> {
  title: string
  /** The newest value(s), shown next to the title and read out by screen readers. */
  summary: string
  points: readonly P[]
  lines: readonly ChartLine<K>[]
  startAt: number
  endAt: number
  formatValue: (value: number) => string
  yDomain?: [number | 'auto' | 'dataMin' | 'dataMax', number | 'auto' | 'dataMin' | 'dataMax']
  testId: string
}

/**
 * A live line chart over a time window: the x axis is wall-clock time from `startAt` to
 * `endAt`, seconds without data leave gaps, and nothing animates (it redraws every second).
 *
 * @example
 * <TimeSeriesChart title="Throughput" summary="120 q/s" points={points} testId="chart-throughput"
 *   lines={[{ key: 'queriesPerSecond', label: 'queries/s', color: '#2563eb' }]}
 *   startAt={end - 300_000} endAt={end} formatValue={formatCount} />
 */
export function TimeSeriesChart<P extends { at: number }, K extends keyof P & string>({
  title,
  summary,
  points,
  lines,
  startAt,
  endAt,
  formatValue,
  yDomain,
  testId,
}: TimeSeriesChartProps<P, K>) {
  const ticks = timeTicks(startAt, endAt)
  const tickSeconds = ticks.length > 1 && ((ticks[1] ?? 0) - (ticks[0] ?? 0)) % 60_000 !== 0
  const drawn = points.filter((point) =>
    lines.some((line) => typeof point[line.key] === 'number'),
  ).length
  return (
    <figure className="chart" data-testid={testId} data-points={drawn}>
      <figcaption className="chart-caption">
        <span className="chart-title">{title}</span>
        <span className="chart-summary" data-testid={`${testId}-summary`}>
          {summary}
        </span>
      </figcaption>
      <LineChart
        responsive
        style={{ width: '100%', height: 180 }}
        data={points}
        margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
      >
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis
          dataKey="at"
          type="number"
          scale="time"
          domain={[startAt, endAt]}
          allowDataOverflow
          ticks={ticks}
          tickFormatter={(value: number) => formatClock(value, { seconds: tickSeconds })}
          tick={{ fontSize: 11, fill: 'var(--muted)' }}
          minTickGap={24}
        />
        <YAxis
          width={56}
          domain={yDomain ?? [0, 'auto']}
          tickFormatter={(value: number) => formatValue(value)}
          tick={{ fontSize: 11, fill: 'var(--muted)' }}
          allowDecimals
        />
        <Tooltip
          labelFormatter={(value) => (typeof value === 'number' ? formatClock(value) : '')}
          formatter={(value) => (typeof value === 'number' ? formatValue(value) : '—')}
          isAnimationActive={false}
        />
        {lines.length > 1 ? <Legend iconType="plainline" wrapperStyle={{ fontSize: 12 }} /> : null}
        {lines.map((line) => (
          <Line
            key={line.key}
            dataKey={line.key}
            name={line.label}
            type="monotone"
            stroke={line.color}
            strokeWidth={2}
            strokeDasharray={line.dashed ? '5 4' : undefined}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  )
}
