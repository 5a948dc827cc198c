import { describe, expect, it } from 'vitest'
import { formatTick, renderLineChart } from './svgLineChart'

describe('renderLineChart', () => {
  const chart = renderLineChart({
    title: 'Throughput <vs> batch size',
    xLabel: 'batch size',
    yLabel: 'queries/s',
    xScale: 'log',
    yScale: 'linear',
    series: [
      {
        name: 'insert',
        points: [
          { x: 1, y: 500 },
          { x: 100, y: 20_000 },
          { x: 5_000, y: 90_000 },
        ],
      },
      {
        name: 'read',
        points: [
          { x: 1, y: 700 },
          { x: 5_000, y: 60_000 },
        ],
      },
    ],
  })

  it('is one SVG document with a line and markers per series, and escaped text', () => {
    expect(chart.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(chart.trim().endsWith('</svg>')).toBe(true)
    expect(chart.match(/<polyline /g)).toHaveLength(2)
    expect(chart.match(/<circle /g)).toHaveLength(5)
    expect(chart).toContain('Throughput &lt;vs&gt; batch size')
    expect(chart).not.toContain('NaN')
  })

  it('puts larger y values higher up the plot', () => {
    const line = /<polyline points="([^"]+)"/.exec(chart)?.[1] ?? ''
    const ys = line.split(' ').map((p) => Number(p.split(',')[1]))
    expect(ys[0]).toBeGreaterThan(ys[1] ?? 0)
    expect(ys[1]).toBeGreaterThan(ys[2] ?? 0)
  })

  it('refuses a chart with no points', () => {
    expect(() =>
      renderLineChart({
        title: 'empty',
        xLabel: 'x',
        yLabel: 'y',
        xScale: 'linear',
        yScale: 'linear',
        series: [],
      }),
    ).toThrow(/no points/)
  })
})

describe('formatTick', () => {
  it('shortens thousands and millions', () => {
    expect(formatTick(1500)).toBe('1.5k')
    expect(formatTick(2_000_000)).toBe('2M')
    expect(formatTick(0.5)).toBe('0.5')
  })
})
