/** One line of a chart. */
export interface ChartSeries {
  readonly name: string
  readonly points: readonly { readonly x: number; readonly y: number }[]
}

/** A line chart: axes, scales and series. */
export interface LineChart {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly xScale: 'linear' | 'log'
  readonly yScale: 'linear' | 'log'
  readonly series: readonly ChartSeries[]
  /** A line under the title (machine, date, caveats). */
  readonly subtitle?: string
}

const WIDTH = 800
const HEIGHT = 440
const MARGIN = { top: 64, right: 230, bottom: 56, left: 84 }
const COLORS = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#4b5563',
  '#ca8a04',
]

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  )
}

/** Short numbers for tick labels: 1.5k, 2M, 0.5. */
export function formatTick(value: number): string {
  const abs = Math.abs(value)
  const trim = (n: number): string => String(Number(n.toPrecision(3)))
  if (abs >= 1e6) return `${trim(value / 1e6)}M`
  if (abs >= 1e3) return `${trim(value / 1e3)}k`
  return trim(value)
}

interface Axis {
  readonly toPixel: (value: number) => number
  readonly ticks: readonly number[]
}

function niceStep(span: number): number {
  const raw = span / 5
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)
  return step ?? magnitude * 10
}

function makeAxis(
  scale: 'linear' | 'log',
  values: readonly number[],
  from: number,
  to: number,
): Axis {
  if (scale === 'log') {
    const positive = values.filter((v) => v > 0)
    const lo = Math.floor(Math.log10(Math.min(...positive)))
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positive))))
    const ticks: number[] = []
    for (let e = lo; e <= hi; e++) {
      ticks.push(10 ** e)
      if (hi - lo <= 2 && e < hi) ticks.push(2 * 10 ** e, 5 * 10 ** e)
    }
    return {
      toPixel: (v) => from + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (to - from),
      ticks: ticks.sort((a, b) => a - b),
    }
  }
  const max = Math.max(...values, 0)
  const min = Math.min(...values, 0)
  const step = niceStep(max - min || 1)
  const lo = Math.floor(min / step) * step
  const hi = Math.max(lo + step, Math.ceil(max / step) * step)
  const ticks: number[] = []
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(12)))
  return { toPixel: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks }
}

/**
 * Renders a line chart as a standalone SVG document (no dependencies): axes with ticks, one
 * coloured line with point markers per series, and a legend.
 *
 * @example
 * const svg = renderLineChart({
 *   title: 'Throughput vs batch size', xLabel: 'batch size', yLabel: 'queries/s',
 *   xScale: 'log', yScale: 'log', series: [{ name: 'insert', points: [{ x: 1, y: 900 }, { x: 100, y: 40_000 }] }],
 * })
 */
export function renderLineChart(chart: LineChart): string {
  const plotLeft = MARGIN.left
  const plotRight = WIDTH - MARGIN.right
  const plotTop = MARGIN.top
  const plotBottom = HEIGHT - MARGIN.bottom
  const all = chart.series.flatMap((s) => s.points)
  if (all.length === 0) throw new Error(`chart "${chart.title}" has no points`)
  const x = makeAxis(
    chart.xScale,
    all.map((p) => p.x),
    plotLeft,
    plotRight,
  )
  const y = makeAxis(
    chart.yScale,
    all.map((p) => p.y),
    plotBottom,
    plotTop,
  )
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${plotLeft}" y="26" font-size="16" font-weight="600" fill="#111827">${escapeXml(chart.title)}</text>`,
  ]
  if (chart.subtitle)
    out.push(`<text x="${plotLeft}" y="46" fill="#6b7280">${escapeXml(chart.subtitle)}</text>`)
  for (const t of y.ticks) {
    const py = y.toPixel(t).toFixed(1)
    out.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${py}" y2="${py}" stroke="#e5e7eb"/>`)
    out.push(
      `<text x="${plotLeft - 8}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#374151">${formatTick(t)}</text>`,
    )
  }
  for (const t of x.ticks) {
    const px = x.toPixel(t).toFixed(1)
    out.push(`<line x1="${px}" x2="${px}" y1="${plotTop}" y2="${plotBottom}" stroke="#f3f4f6"/>`)
    out.push(
      `<text x="${px}" y="${plotBottom + 18}" text-anchor="middle" fill="#374151">${formatTick(t)}</text>`,
    )
  }
  out.push(
    `<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="none" stroke="#9ca3af"/>`,
  )
  out.push(
    `<text x="${(plotLeft + plotRight) / 2}" y="${HEIGHT - 14}" text-anchor="middle" fill="#111827">${escapeXml(chart.xLabel)}${chart.xScale === 'log' ? ' (log scale)' : ''}</text>`,
  )
  out.push(
    `<text transform="translate(20 ${(plotTop + plotBottom) / 2}) rotate(-90)" text-anchor="middle" fill="#111827">${escapeXml(chart.yLabel)}${chart.yScale === 'log' ? ' (log scale)' : ''}</text>`,
  )
  chart.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000000'
    const points = [...series.points]
      .sort((a, b) => a.x - b.x)
      .map((p) => `${x.toPixel(p.x).toFixed(1)},${y.toPixel(p.y).toFixed(1)}`)
    if (points.length > 1)
      out.push(
        `<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
      )
    for (const p of points) {
      const [cx, cy] = p.split(',')
      out.push(`<circle cx="${cx ?? 0}" cy="${cy ?? 0}" r="3.5" fill="${color}"/>`)
    }
    const ly = plotTop + 8 + i * 20
    out.push(
      `<line x1="${plotRight + 14}" x2="${plotRight + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
    )
    out.push(
      `<text x="${plotRight + 40}" y="${ly}" dominant-baseline="middle" fill="#111827">${escapeXml(series.name)}</text>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
